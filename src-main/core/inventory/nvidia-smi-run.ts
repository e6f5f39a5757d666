/** Runs one nvidia-smi command to completion (process group, timeout, output cap, cancellation); failures carry a kind. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { cutNote, runCapped } from '../process/run-capped.js';

/** Options of one nvidia-smi run. */
export interface RunSmiOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Most bytes of output read (default 16 MiB: the XML of a 16-GPU node is well under 1 MiB). */
  maxOutputBytes?: number;
}

const DEFAULT_SMI_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Runs `nvidia-smi ARGS` and resolves with its stdout; rejects `timeout`, `cancelled`, `smi-missing` or `unavailable`. */
export async function runNvidiaSmi(smiPath: string, args: string[], options: RunSmiOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_SMI_OUTPUT_BYTES;
  const command = `nvidia-smi ${args.join(' ')}`;
  let result;
  try {
    result = await runCapped(smiPath, args, { timeoutMs, signal: options.signal, env: options.env, maxOutputBytes });
  } catch (error) {
    if (error instanceof ShardScopeError && error.kind === 'not-found') {
      const code = String(error.details?.code ?? 'cannot start');
      throw new ShardScopeError('smi-missing', `${command}: cannot run ${smiPath} (${code})`);
    }
    if (error instanceof ShardScopeError && error.kind === 'timeout') throw new ShardScopeError('timeout', `${command}: no answer within ${timeoutMs} ms`);
    throw error;
  }
  if (result.isOutputCut) {
    throw new ShardScopeError('smi-parse', `${command}: more than ${maxOutputBytes} bytes of output, not read further ${cutNote(maxOutputBytes)}`);
  }
  if (result.code === 0) return result.stdout;
  const said = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/, 1)[0] ?? '';
  const shown = said.length > 300 ? `${said.slice(0, 300)}… ${cutNote(300)}` : said;
  throw new ShardScopeError('unavailable', `${command} failed (exit ${result.code ?? result.signal}): ${shown || 'no output'}`, { stdout: result.stdout.slice(0, 64 * 1024) });
}
