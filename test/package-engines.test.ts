/**
 * package.json `engines` names only Node.js versions the tests have run on: the suite refuses to pass on a Node
 * outside it, so moving CI (or a developer) to another major means running everything there (the zero-copy read
 * path in test/worker/collective/zero-copy.test.ts above all) and then widening `engines` on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';

type Version = [number, number, number];

function versionOf(text: string): Version {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text);
  assert.ok(match, `not a version: ${text}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

test(`package.json engines is a bounded range that holds the Node.js running the tests (${process.version})`, () => {
  const range = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const match = /^>=\s*(\S+)\s+<\s*(\S+)$/.exec(range);
  assert.ok(match, `engines.node must be ">=LOW <HIGH" (an upper bound: only tested majors), got "${range}"`);
  const [low, high] = [versionOf(match[1]), versionOf(match[2])];
  const running = versionOf(process.version);
  assert.ok(compare(running, low) >= 0 && compare(running, high) < 0,
    `Node.js ${process.version} is outside engines "${range}": run the whole suite on it, then widen engines in package.json and README`);
});
