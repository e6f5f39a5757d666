/**
 * The host sampler's launcher for this machine: each script runs as `sh -c` in its own process group
 * (startGroupStream / runCapped), so stopping a stream, a hung or flooding nvidia-smi, or our own exit
 * ends everything it started, and what is read of its output is capped. nvidia-smi is located here
 * (explicit path, SHARDSCOPE_NVIDIA_SMI, PATH).
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { locateNvidiaSmi } from '../inventory/nvidia-smi-locate.js';
import { runCapped } from '../process/run-capped.js';
import { signalGroup } from '../process/process-group.js';
import { startGroupStream } from '../process/stream-group.js';
import { pidSplittingSink, type SamplerLauncher, type SamplerLink, type SmiChoice } from './sampler-link.js';

/** Most bytes read of a one-shot probe. */
const PROBE_OUTPUT_BYTES = 1024 * 1024;

/** Options of this machine's launcher. */
export interface LocalLauncherOptions {
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Longest line read from a script (default 64 Ki characters). */
  maxLineChars?: number;
}

function chooseSmi(options: LocalLauncherOptions): SmiChoice {
  try {
    const location = locateNvidiaSmi({ explicitPath: options.nvidiaSmiPath, env: options.env });
    return location ? { path: location.path } : { off: null };
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    return { off: `GPU telemetry off: ${error.message}` };
  }
}

/** The launcher of this machine (its link never drops). */
export function localLauncher(options: LocalLauncherOptions = {}): SamplerLauncher {
  const env = options.env ?? process.env;
  const link: SamplerLink = {
    stream: (script, onPid) => (sink) => {
      const out = pidSplittingSink(sink, onPid);
      const run = startGroupStream('sh', ['-c', script], { env, maxLineChars: options.maxLineChars, onLine: out.onLine, onEnd: out.onEnd });
      return { stop: () => run.stop() };
    },
    async run(script, timeoutMs, signal) {
      try {
        const result = await runCapped('sh', ['-c', script], { timeoutMs, signal, env, maxOutputBytes: PROBE_OUTPUT_BYTES });
        return { exitCode: result.code, stdout: result.stdout };
      } catch {
        return { exitCode: -1, stdout: '' };
      }
    },
    async killGroups(pids) {
      for (const pid of pids) signalGroup(pid, 'SIGTERM');
    },
    onLost: () => undefined,
    close: async () => undefined,
  };
  return { linkName: 'this machine', canBeLost: false, smi: chooseSmi(options), connect: async () => link };
}
