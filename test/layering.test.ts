/**
 * The layering of DESIGN.md is enforced by the compiler: a file that imports across a forbidden
 * arrow fails to compile under its layer's tsconfig, while the same file with an allowed import compiles.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './support/paths.js';

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles one probe file under a layer's settings (its tsconfig and project references); returns tsc's output or null. */
function compileProbe(layer: string, probeSource: string): string | null {
  mkdirSync(join(REPO_ROOT, 'build'), { recursive: true });
  // Inside the repo (build/ is ignored) so packages resolve from node_modules as for real sources.
  const dir = mkdtempSync(join(REPO_ROOT, 'build', 'layer-probe-'));
  writeFileSync(join(dir, 'probe.ts'), probeSource);
  const layerConfig = JSON.parse(readFileSync(join(REPO_ROOT, layer, 'tsconfig.json'), 'utf8'));
  const references = (layerConfig.references ?? []).map((r: { path: string }) => ({ path: join(REPO_ROOT, layer, r.path) }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    extends: join(REPO_ROOT, layer, 'tsconfig.json'),
    compilerOptions: { typeRoots: [join(REPO_ROOT, 'node_modules', '@types')], rootDir: dir, outDir: join(dir, 'out'), tsBuildInfoFile: join(dir, 'out', 'probe.tsbuildinfo'), noEmit: false },
    include: [join(dir, 'probe.ts')],
    references,
  }));
  try {
    const result = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    return result.status === 0 ? null : result.stdout + result.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const imp = (from: string) => `import * as m from '${join(REPO_ROOT, from)}';\nexport const probe = m;\n`;

test('src-shared cannot use node: modules or the DOM, only pure libraries', () => {
  assert.equal(compileProbe('src-shared', "import { z } from 'zod';\nexport const s = z.string();\n"), null);
  assert.match(compileProbe('src-shared', 'export const w = document.title;\n') ?? '', /document/);
  assert.match(compileProbe('src-shared', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n") ?? '', /node:fs/);
});

test('the renderer cannot import main-process code, only the shared contract', () => {
  assert.equal(compileProbe('src-renderer', imp('src-shared/api/contract.js')), null);
  assert.notEqual(compileProbe('src-renderer', imp('src-main/core/api/dispatch.js')), null);
});

test('the worker cannot import main-process code', () => {
  assert.equal(compileProbe('src-worker', imp('src-shared/errors.js')), null);
  assert.notEqual(compileProbe('src-worker', imp('src-main/core/api/dispatch.js')), null);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('only src-main/app imports electron', () => {
  const offenders = ['src-shared', 'src-main/core', 'src-main/server', 'src-main/cli', 'src-worker', 'src-renderer']
    .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
    .filter((file) => /from ['"]electron['"]|require\(['"]electron['"]\)/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(REPO_ROOT, file));
  assert.deepEqual(offenders, []);
});
