/** One locator for the install's parts: every CLI command finds the worker bundle, the CLI bundle and the corpus through runtime-paths.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cliBundlePath, corpusPath, workerBundlePath } from '../../src-main/cli/runtime-paths.js';
import { CLI_PATH, REPO_ROOT, WORKER_PATH } from '../support/paths.js';

test('from the sources the locator finds the built bundles in dist/ and the shipped corpus in resources/', () => {
  assert.equal(workerBundlePath(), WORKER_PATH);
  assert.equal(cliBundlePath(), CLI_PATH);
  assert.equal(corpusPath(), join(REPO_ROOT, 'resources', 'corpus', 'licenses.txt'));
  assert.ok(existsSync(corpusPath()));
});

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The code of a file without its comments (a comment may mention dist/worker.cjs). */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

test('no CLI file but runtime-paths.ts names a bundle file or walks up from __dirname; hosts.ts and the others do not import commands/run.ts', () => {
  const cliDir = join(REPO_ROOT, 'src-main', 'cli');
  for (const file of sourcesUnder(cliDir)) {
    const name = relative(cliDir, file);
    const code = codeOf(file);
    if (name !== 'runtime-paths.ts') {
      assert.doesNotMatch(code, /['"`/](worker|cli)\.cjs['"`]/, `${name} looks for a bundle itself`);
      assert.doesNotMatch(code, /__dirname/, `${name} finds files from its own location`);
    }
    // hosts.ts used to take findWorkerBundle from run.ts: commands share helpers through src-main/cli/*, not each other
    if (name.startsWith('commands/') && name !== 'commands/index.ts') {
      assert.doesNotMatch(code, /from '\.\/run\.js'/, `${name} imports commands/run.ts`);
    }
  }
});
