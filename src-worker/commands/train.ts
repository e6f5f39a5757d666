/**
 * `node dist/worker.cjs train --config JSON --rank R --world-size W --master HOST:PORT`
 * The run secret comes only from the environment (SHARDSCOPE_RUN_SECRET), never argv.
 * Writes JSON-lines events (src-shared/engine-events.ts) on stdout; exits 1 after an `error` event.
 * With SHARDSCOPE_STDIN_LIFELINE=1 (set by the run controller) it exits when stdin closes, i.e. when
 * the controller died, so no worker outlives its controller.
 */
import { parseArgs } from 'node:util';
import { validateTrainConfig, type TrainConfig } from '../../src-shared/engine-config.js';
import { formatEvent, RANK_HEARTBEAT_INTERVAL_MS, type EngineEvent } from '../../src-shared/engine-events.js';
import { ShardScopeError, toErrorPayload } from '../../src-shared/errors.js';
import { initCollective } from '../collective/index.js';
import { collectiveTuningFromEnv } from './collective-env.js';
import { initBackend, parseBackendName } from '../engine/backend/index.js';
import { defaultCorpusPath, loadCorpus } from '../engine/data-loader.js';
import { runRank } from '../engine/run-rank.js';

function parse(args: string[]) {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, rank: { type: 'string' }, 'world-size': { type: 'string' }, master: { type: 'string' } }, strict: true });
  if (!values.config) throw new ShardScopeError('bad-input', 'train: --config JSON is required');
  let config: TrainConfig;
  try {
    config = JSON.parse(values.config) as TrainConfig;
  } catch {
    throw new ShardScopeError('bad-input', 'train: --config is not valid JSON');
  }
  const rank = Number(values.rank ?? 0);
  const worldSize = Number(values['world-size'] ?? 1);
  const [masterAddr, masterPort] = (values.master ?? '127.0.0.1:0').split(/:(?=\d+$)/);
  return { config: validateTrainConfig(config), rank, worldSize, masterAddr, masterPort: Number(masterPort) };
}

/** The `train` worker command. */
export async function trainCommand(args: string[]): Promise<number> {
  const emit = (event: EngineEvent) => process.stdout.write(formatEvent(event));
  let rank = 0;
  // Tells the controller this process is still scheduled (a SIGSTOPped or frozen rank goes silent).
  // The first one goes out at once, so the controller watches this rank from its first step on.
  const beat = () => process.stdout.write(formatEvent({ type: 'heartbeat', rank, timestampMs: Date.now() }));
  beat();
  const heartbeat = setInterval(beat, RANK_HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  const hasLifeline = process.env.SHARDSCOPE_STDIN_LIFELINE === '1';
  if (hasLifeline) process.stdin.on('end', () => process.exit(1)).on('error', () => process.exit(1)).resume();
  try {
    const parsed = parse(args);
    rank = parsed.rank;
    const secret = process.env.SHARDSCOPE_RUN_SECRET ?? '';
    if (parsed.worldSize > 1 && !secret) throw new ShardScopeError('bad-input', 'train: SHARDSCOPE_RUN_SECRET must be set for a multi-rank run');
    const tuning = collectiveTuningFromEnv(process.env);
    const backend = await initBackend(parsed.config.backend === undefined ? undefined : parseBackendName(parsed.config.backend));
    const corpus = loadCorpus(parsed.config.dataPath ?? defaultCorpusPath(), parsed.config.model.seqLen);
    await runRank({ ...parsed, secret, corpus, backend, emit, connect: (options) => initCollective({ ...tuning, ...options }) });
    if (hasLifeline) process.stdin.pause();
    return 0;
  } catch (error) {
    const { kind, message } = toErrorPayload(error);
    emit({ type: 'error', rank, kind, message, timestampMs: Date.now() });
    if (!(error instanceof ShardScopeError)) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  } finally {
    clearInterval(heartbeat);
  }
}
