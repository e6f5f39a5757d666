/** Finds the nvidia-smi executable: an explicit path, then SHARDSCOPE_NVIDIA_SMI, then PATH. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Where nvidia-smi was found and how it was chosen. */
export interface NvidiaSmiLocation {
  path: string;
  source: 'flag' | 'env' | 'path';
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves nvidia-smi; null when it is not on PATH. An explicit path (flag or env) that is not an
 * executable file is a mistake of the user: `smi-missing` with the path, not a silent fallback.
 */
export function locateNvidiaSmi(options: { explicitPath?: string; env?: NodeJS.ProcessEnv } = {}): NvidiaSmiLocation | null {
  const env = options.env ?? process.env;
  const chosen = options.explicitPath ? { path: options.explicitPath, source: 'flag' as const }
    : env.SHARDSCOPE_NVIDIA_SMI ? { path: env.SHARDSCOPE_NVIDIA_SMI, source: 'env' as const } : null;
  if (chosen) {
    if (!isExecutableFile(chosen.path)) {
      const origin = chosen.source === 'flag' ? '--nvidia-smi' : 'SHARDSCOPE_NVIDIA_SMI';
      throw new ShardScopeError('smi-missing', `${origin} ${chosen.path}: not an executable file`);
    }
    return chosen;
  }
  const names = process.platform === 'win32' ? ['nvidia-smi.exe'] : ['nvidia-smi'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return { path: candidate, source: 'path' };
    }
  }
  return null;
}
