/**
 * `node dist/worker.cjs link-probe --rank 0|1 --master HOST:PORT [--seconds S] [--message-bytes B]`,
 * secret in SHARDSCOPE_RUN_SECRET: one end of a rank-to-rank TCP link probe over the collectives
 * (authenticated like a run). Latency: median round trip of 4-byte ping-pongs; bandwidth: 4 MiB
 * messages from rank 1 to rank 0 for S seconds (default 2). Rank 0 prints one JSON line:
 * {latencyMs, bytesPerSecond, bytes, seconds}.
 */
import { parseArgs } from 'node:util';
import { ShardScopeError, toErrorPayload } from '../../src-shared/errors.js';
import { initCollective } from '../collective/index.js';
import { collectiveTuningFromEnv } from './collective-env.js';

/** The `link-probe` worker command; exit 0 ok, 1 the probe failed, 2 bad flags. */
export async function linkProbeCommand(args: string[]): Promise<number> {
  let rank: number;
  let masterAddr: string;
  let masterPort: number;
  let seconds: number;
  let messageBytes: number;
  try {
    const { values } = parseArgs({ args, strict: true, options: { rank: { type: 'string' }, master: { type: 'string' }, seconds: { type: 'string' }, 'message-bytes': { type: 'string' } } });
    rank = Number(values.rank);
    [masterAddr, masterPort] = ((values.master ?? '').split(/:(?=\d+$)/) as [string, string]).map((v, i) => (i === 1 ? Number(v) : v)) as [string, number];
    seconds = Number(values.seconds ?? 2);
    messageBytes = Number(values['message-bytes'] ?? 4 * 1024 * 1024);
    if ((rank !== 0 && rank !== 1) || !masterAddr || !(masterPort > 0) || !(seconds > 0) || !(messageBytes >= 4)) throw new Error('expected --rank 0|1 --master HOST:PORT [--seconds S>0]');
  } catch (error) {
    process.stderr.write(`shardscope-worker link-probe: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  try {
    const comm = await initCollective({
      ...collectiveTuningFromEnv(process.env), rank, worldSize: 2, masterAddr, masterPort, secret: process.env.SHARDSCOPE_RUN_SECRET ?? '', timeoutMs: 15_000,
    });
    const peer = 1 - rank;
    const ping = new Float32Array(1);
    const roundTripsMs: number[] = [];
    for (let i = 0; i < 21; i++) {
      const startMs = performance.now();
      if (rank === 0) { await comm.world.send(ping, peer, 1); await comm.world.recv(peer, 2); }
      else { await comm.world.recv(peer, 1); await comm.world.send(ping, peer, 2); }
      roundTripsMs.push(performance.now() - startMs);
    }
    // Rank 1 streams for `seconds`, then sends a 1-element "done" marker; rank 0 counts what arrived.
    const message = new Float32Array(Math.floor(messageBytes / 4));
    let bytes = 0;
    await comm.world.barrier();
    const startMs = performance.now();
    if (rank === 1) {
      while (performance.now() - startMs < seconds * 1000) await comm.world.send(message, peer, 3);
      await comm.world.send(new Float32Array(1), peer, 3);
      await comm.world.recv(peer, 4);
    } else {
      for (;;) {
        const got = await comm.world.recv(peer, 3);
        if (got.length === 1) break;
        bytes += got.byteLength;
      }
      const elapsedSeconds = (performance.now() - startMs) / 1000;
      await comm.world.send(ping, peer, 4);
      roundTripsMs.sort((a, b) => a - b);
      process.stdout.write(`${JSON.stringify({ latencyMs: roundTripsMs[10], bytesPerSecond: bytes / elapsedSeconds, bytes, seconds: elapsedSeconds })}\n`);
    }
    await comm.close();
    return 0;
  } catch (error) {
    const { kind, message } = toErrorPayload(error);
    process.stderr.write(`shardscope-worker link-probe ${rank}: ${kind}: ${message}\n`);
    return error instanceof ShardScopeError && error.kind === 'bad-input' ? 2 : 1;
  }
}
