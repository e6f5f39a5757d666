/**
 * Before any rank starts: finds, on each host, a Python interpreter that imports torch (through
 * the same Spawner the ranks use, so a remote host is checked where it runs). Missing Python or
 * torch is one `unavailable` error naming what to install.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { Spawner } from './spawner.js';

/** Interpreters tried in order when none is given (Debian's python3-torch installs into /usr/bin/python3). */
export const DEFAULT_PYTHONS = ['python3', '/usr/bin/python3'];

/** What a host's interpreter reported. */
export interface TorchProbe {
  python: string;
  torchVersion: string;
  pythonVersion: string;
  hasCuda: boolean;
  /** CUDA devices PyTorch sees (0 without CUDA). */
  cudaDeviceCount: number;
}

const probeCode = 'import json, sys\ntry:\n import torch\nexcept Exception as e:\n print(json.dumps({"error": type(e).__name__ + ": " + str(e), "python": sys.version.split()[0]})); sys.exit(0)\n'
  + 'print(json.dumps({"torch": torch.__version__, "python": sys.version.split()[0], "cuda": bool(torch.cuda.is_available()), "devices": torch.cuda.device_count() if torch.cuda.is_available() else 0, "distributed": bool(torch.distributed.is_available())}))';

interface ProbeResult { missing: boolean; error?: string; torch?: string; python?: string; cuda?: boolean; devices?: number; distributed?: boolean }

async function probe(spawner: Spawner, python: string, timeoutMs: number): Promise<ProbeResult> {
  const child = spawner({ rank: -1, command: python, args: ['-c', probeCode], env: {} });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  const line = out.trim().split('\n').pop() ?? '';
  if (exit.code === 0 && line.startsWith('{')) return JSON.parse(line) as ProbeResult;
  if (exit.code === 127 || /not found|No such file/i.test(err)) return { missing: true };
  return { missing: false, error: err.trim().split('\n').pop() || `exited with code ${exit.code ?? exit.signal}` };
}

/** Checks one host; `python` given = only that one, else DEFAULT_PYTHONS in order. Throws `unavailable`. */
export async function checkTorch(spawner: Spawner, host: string, python?: string, timeoutMs = 60_000): Promise<TorchProbe> {
  const tried: string[] = [];
  for (const candidate of python ? [python] : DEFAULT_PYTHONS) {
    const result = await probe(spawner, candidate, timeoutMs);
    if (result.torch && result.distributed !== false) {
      return { python: candidate, torchVersion: result.torch, pythonVersion: result.python ?? '?', hasCuda: result.cuda === true, cudaDeviceCount: typeof result.devices === 'number' ? result.devices : 0 };
    }
    tried.push(result.missing ? `${candidate}: not found` : result.torch ? `${candidate}: torch ${result.torch} without torch.distributed` : `${candidate}: ${result.error ?? 'no torch'}`);
  }
  throw new ShardScopeError('unavailable',
    `torch engine: no Python with PyTorch on ${host} (${tried.join('; ')}) — install it (Debian: apt-get install -y python3-torch libopenblas0-pthread; or pip install torch) or pass --python PATH`,
    { host });
}
