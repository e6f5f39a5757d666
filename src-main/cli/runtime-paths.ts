/** Where the running bundle lives and what it was built as. */
import { join } from 'node:path';

/** The dist/ folder of this install (the CLI bundle runs from dist/cli.cjs). */
export function distDir(): string {
  return __dirname.endsWith('dist') ? __dirname : join(__dirname, '..', '..', 'dist');
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
