/** The PyTorch peer workloads shipped in resources/peers are the project's shared reference copies, unchanged. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, SHARED_DIR } from '../support/paths.js';

for (const name of ['torch_gpt.py', 'torch_allreduce.py']) {
  test(`resources/peers/${name} equals the shared reference copy`, () => {
    const shared = join(SHARED_DIR, 'peers', name);
    assert.ok(existsSync(shared), `${shared} missing: the shared folder must sit beside the repository`);
    assert.equal(readFileSync(join(REPO_ROOT, 'resources', 'peers', name), 'utf8'), readFileSync(shared, 'utf8'));
  });
}
