/**
 * The torch engine's rank command: `PYTHON SCRIPT --dp D ...` with the standard torch.distributed
 * environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE) and the
 * plan as JSON in SHARDSCOPE_PLAN_JSON. Pure: the controller spawns it through its Spawner.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { RANK_HEARTBEAT_INTERVAL_MS } from '../../../src-shared/engine-events.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { TraceWindow } from '../../../src-shared/trace-spans.js';
import type { RankPlacement } from './placement.js';
import type { RankCommand, RankLaunch } from './run-controller.js';

/** Which script and interpreter the ranks run; per-host entries (placement host ids) win over the defaults. */
export interface TorchEngineOptions {
  /** Script to run (default: the bundled reference script, resources/torch/train_gpt.py). */
  script?: string;
  scriptByHost?: Record<string, string>;
  /** Python interpreter (default: the first of `python3`, `/usr/bin/python3` that imports torch; see torch-check.ts). */
  python?: string;
  pythonByHost?: Record<string, string>;
  /** The event helper that starts each rank's script (default: resources/torch/shardscope_events.py next to the reference script). */
  helper?: string;
  helperByHost?: Record<string, string>;
  /** Extra arguments for the script, after the standard ones. */
  scriptArgs?: string[];
  /** Training data path on a host (passed as `--data`), e.g. where torch-deploy.ts copied it. */
  dataPathByHost?: Record<string, string>;
  /** Steps every rank profiles with torch.profiler (`run --profile-steps A-B`), sent as spans events. */
  profileSteps?: TraceWindow;
}

/** The plan as a script sees it in SHARDSCOPE_PLAN_JSON. */
export interface TorchPlan {
  runId: string;
  engine: 'torch';
  model: TrainConfig['model'];
  dp: number;
  tp: number;
  pp: number;
  /** Sequences per micro-batch on one rank. */
  microBatch: number;
  microBatches: number;
  globalBatch: number;
  steps: number;
  seed: number;
  learningRate: number;
  zeroStage: number;
  schedule: string;
  recompute: boolean;
  dataPath?: string;
}

/** The bundled reference script next to the bundle (dist/../resources) or the sources. */
export function referenceScriptPath(): string {
  const candidates = [join(__dirname, '..', 'resources', 'torch', 'train_gpt.py'), join(__dirname, '..', '..', '..', 'resources', 'torch', 'train_gpt.py')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ShardScopeError('not-found', `bundled torch script not found (looked in ${candidates.join(', ')})`);
  // Packaged app: Python reads the unpacked copy (electron-builder.yml asarUnpack), not the archive.
  return found.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/** The bundled event helper (also the launcher of every rank's script). */
export function eventHelperPath(): string {
  return join(dirname(referenceScriptPath()), 'shardscope_events.py');
}

/** The plan handed to every rank. */
export function torchPlanOf(config: TrainConfig, runId: string): TorchPlan {
  const { dp, tp, pp } = config.strategy;
  return {
    runId, engine: 'torch', model: { ...config.model }, dp, tp, pp,
    microBatch: Math.max(1, Math.floor(config.globalBatch / dp / config.microBatches)), microBatches: config.microBatches,
    globalBatch: config.globalBatch, steps: config.steps, seed: config.seed, learningRate: config.learningRate,
    zeroStage: config.zeroStage, schedule: config.schedule, recompute: config.recompute,
    ...(config.dataPath ? { dataPath: config.dataPath } : {}),
  };
}

/** Rank index among the ranks on its host, and how many ranks that host runs. */
export function localRankOf(placement: RankPlacement, placements: RankPlacement[]): { localRank: number; localWorldSize: number } {
  const sameHost = placements.filter((p) => p.host === placement.host).sort((a, b) => a.rank - b.rank);
  return { localRank: sameHost.findIndex((p) => p.rank === placement.rank), localWorldSize: sameHost.length };
}

/** Builds each rank's command for the run controller (`rankCommand` of runTraining). */
export function torchRankCommand(config: TrainConfig, options: Required<Pick<TorchEngineOptions, 'script' | 'python' | 'helper'>> & TorchEngineOptions): (launch: RankLaunch) => RankCommand {
  return ({ placement, placements, worldSize, runId, masterAddr, masterPort }) => {
    const plan = torchPlanOf(config, runId);
    const { localRank, localWorldSize } = localRankOf(placement, placements);
    const hosts = [...new Set(placements.map((p) => p.host))];
    return {
      command: options.pythonByHost?.[placement.host] ?? options.python,
      args: [
        // The helper runs the script as __main__: lifeline on, and a run-end even if the script emits none.
        '-u', options.helperByHost?.[placement.host] ?? options.helper, options.scriptByHost?.[placement.host] ?? options.script,
        '--dp', String(plan.dp), '--tp', String(plan.tp), '--pp', String(plan.pp),
        '--micro-batch', String(plan.microBatch), '--global-batch', String(plan.globalBatch), '--steps', String(plan.steps),
        ...(options.dataPathByHost?.[placement.host] ? ['--data', options.dataPathByHost[placement.host]] : []),
        ...(options.scriptArgs ?? []),
      ],
      env: {
        MASTER_ADDR: masterAddr, MASTER_PORT: String(masterPort),
        RANK: String(placement.rank), WORLD_SIZE: String(worldSize),
        LOCAL_RANK: String(localRank), LOCAL_WORLD_SIZE: String(localWorldSize),
        GROUP_RANK: String(hosts.indexOf(placement.host)),
        SHARDSCOPE_PLAN_JSON: JSON.stringify(plan), SHARDSCOPE_ENGINE: 'torch', PYTHONUNBUFFERED: '1',
        // The helper beats from a thread of the rank's process, like the built-in worker (rank-liveness.ts watches it).
        SHARDSCOPE_HEARTBEAT_INTERVAL_MS: String(RANK_HEARTBEAT_INTERVAL_MS),
        ...(options.profileSteps ? { SHARDSCOPE_PROFILE_STEPS: `${options.profileSteps.firstStep}-${options.profileSteps.lastStep}` } : {}),
      },
    };
  };
}
