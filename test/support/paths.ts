/** Paths tests use: the repo, the built bundles, the shared fixtures, the test output folder. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const CLI_PATH = join(REPO_ROOT, 'dist', 'cli.cjs');
export const WORKER_PATH = join(REPO_ROOT, 'dist', 'worker.cjs');
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');
export const SMI_FIXTURES = join(SHARED_DIR, 'fixtures', 'nvidia-smi');

/** A folder under test-output/ for screenshots and other artefacts a person can look at. */
export function testOutputDir(name: string): string {
  const dir = join(REPO_ROOT, 'test-output', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
