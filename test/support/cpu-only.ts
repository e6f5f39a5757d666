/** A ShardScope home that sees no GPU whatever the machine has, and a real `calibrate --model tiny` into it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CLI_PATH } from './paths.js';

/** The environment: this home, no nvidia-smi (none named, none on the PATH), plus `extra`. */
export function cpuOnlyEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    SHARDSCOPE_HOME: home, SHARDSCOPE_NVIDIA_SMI: '', ...extra,
    PATH: (process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'nvidia-smi'))).join(delimiter),
  };
}

/** `shardscope calibrate --model tiny --global-batch 8 --reps 1` in that environment: its exit code and stderr. */
export function calibrateTiny(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, 'calibrate', '--model', 'tiny', '--global-batch', '8', '--reps', '1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
