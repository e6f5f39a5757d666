/**
 * Where the running install's parts live, and what it was built as: the one place that finds the
 * worker bundle, the CLI launcher, the shipped resources (corpus, peer workloads).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../src-shared/errors.js';

/** The dist/ folder of this install (the CLI bundle runs from dist/cli.cjs; from sources this file is src-main/cli/). */
export function distDir(): string {
  return __dirname.endsWith('dist') ? __dirname : join(__dirname, '..', '..', 'dist');
}

/** A built file in dist/, or `not-found` saying how to build it. */
function builtFile(name: string, what: string): string {
  const path = join(distDir(), name);
  if (!existsSync(path)) throw new ShardScopeError('not-found', `${what} not found (looked for ${path}); run npm run build`);
  return path;
}

/** dist/worker.cjs: the program every rank, link probe and calibration runs. */
export function workerBundlePath(): string {
  return builtFile('worker.cjs', 'worker bundle');
}

/** dist/cli.cjs: the `shardscope` command itself (the benches run it as a user would). */
export function cliBundlePath(): string {
  return builtFile('cli.cjs', 'shardscope command bundle');
}

/** The package version, injected at build time. */
export function packageVersion(): string {
  return process.env.SHARDSCOPE_BUILD_VERSION ?? '0.0.0-dev';
}

/** The nvidia-smi to use: the flag, else SHARDSCOPE_NVIDIA_SMI, else whatever PATH finds (undefined). */
export function resolveNvidiaSmi(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag ?? (env.SHARDSCOPE_NVIDIA_SMI || undefined);
}

/** The resources/ folder shipped with this install (corpus, peer workloads, catalogues). */
export function resourcesDir(): string {
  return join(distDir(), '..', 'resources');
}

/** A PyTorch reference workload shipped in resources/peers/ (for the side-by-side benchmarks). */
export function peerScript(name: string): string {
  return join(resourcesDir(), 'peers', name);
}

/** The shipped training text (resources/corpus/licenses.txt): the data of runs without `--data`. */
export function corpusPath(): string {
  const path = join(resourcesDir(), 'corpus', 'licenses.txt');
  if (!existsSync(path)) throw new ShardScopeError('not-found', `training corpus not found (looked for ${path}); pass --data FILE`);
  return path;
}
