/** Starts test ranks as separate OS processes (node --import tsx ops-rank.ts) and collects what each printed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const rankScript = fileURLToPath(new URL('./ops-rank.ts', import.meta.url));

/** A valid test secret (the library asks for at least 16 characters). */
export const TEST_SECRET = 'test-secret-0123456789abcdef';

/** What one rank process left behind. */
export interface RankOutcome {
  code: number | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One running rank: its process and a promise of its outcome; onLine sees each stdout JSON line as it comes. */
export function startRank(scenario: string, rank: number, world: number, port: number, lengths: number[],
  env: Record<string, string> = {}, onLine: (line: Record<string, unknown>) => void = () => {}): { child: ChildProcess; outcome: Promise<RankOutcome> } {
  const child = spawn(process.execPath, ['--import', 'tsx', rankScript, scenario, String(rank), String(world), String(port), lengths.join(',')], {
    env: { ...process.env, SHARDSCOPE_TEST_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: RankOutcome['lines'] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
      stdout = stdout.slice(newline + 1);
      lines.push(line);
      onLine(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const outcome = new Promise<RankOutcome>((resolve) => child.on('close', (code) => resolve({ code, lines, stderr })));
  return { child, outcome };
}

/** Runs a whole world of ranks for a scenario and waits for all of them to exit. */
export async function runWorld(scenario: string, world: number, lengths: number[], env: Record<string, string> = {}): Promise<RankOutcome[]> {
  const port = await freePort();
  const ranks = Array.from({ length: world }, (_, rank) => startRank(scenario, rank, world, port, lengths, env));
  return Promise.all(ranks.map((r) => r.outcome));
}
