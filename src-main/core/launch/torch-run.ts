/**
 * A run of the torch engine: the same controller as the built-in engine (placement, spawners,
 * event stream, cancel, a dead rank stops all), with each rank running a PyTorch script.
 */
import { existsSync } from 'node:fs';
import { worldSizeOf, type TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { placeRanks } from './placement.js';
import { runTraining, type RunOptions } from './run-controller.js';
import type { TrainingSummary } from './run-summary.js';
import { localSpawner } from './spawner.js';
import { checkTorch, type TorchProbe } from './torch-check.js';
import { eventHelperPath, referenceScriptPath, torchRankCommand, type TorchEngineOptions } from './torch-rank-command.js';

/** A controller run with the torch engine's choices. */
export type TorchRunOptions = Omit<RunOptions, 'workerPath' | 'rankCommand'> & {
  torch?: TorchEngineOptions;
  /** Called once every host's interpreter is known (before any rank starts). */
  onProbed?: (probes: Record<string, TorchProbe>) => void;
};

/** What the reference script can run: plain data parallel (its own scripts may do anything with the plan). */
export function checkReferencePlan(config: TrainConfig): void {
  const { tp, pp } = config.strategy;
  if (tp !== 1 || pp !== 1) {
    throw new ShardScopeError('bad-input', `the bundled torch script trains data parallel only (DDP): got tp=${tp} pp=${pp}; use dp=N or pass --script with your own Megatron/DeepSpeed-style script`);
  }
  if (config.globalBatch % config.strategy.dp !== 0) throw new ShardScopeError('bad-input', `global batch ${config.globalBatch} must divide by dp=${config.strategy.dp}`);
}

/** Checks the plan and every host's Python + torch, then runs; rejects like runTraining (or `unavailable`/`bad-input` before starting). */
export async function runTorchTraining(options: TorchRunOptions): Promise<TrainingSummary> {
  const torch = options.torch ?? {};
  const isReference = !torch.script && !torch.scriptByHost;
  if (isReference) checkReferencePlan(options.config);
  const script = torch.script ?? referenceScriptPath();
  const placements = options.placements ?? placeRanks(worldSizeOf(options.config.strategy), options.devices);
  const hosts = [...new Set(placements.map((p) => p.host))];
  if (!torch.scriptByHost && hosts.every((h) => !options.spawners?.[h]) && !existsSync(script)) {
    throw new ShardScopeError('bad-input', `--script: no such file ${script}`);
  }
  const probes: Record<string, TorchProbe> = {};
  for (const host of hosts) {
    options.signal?.throwIfAborted();
    const spawner = options.spawners?.[host] ?? options.spawner ?? localSpawner;
    probes[host] = await checkTorch(spawner, host, torch.pythonByHost?.[host] ?? torch.python);
  }
  options.onProbed?.(probes);
  const pythonByHost = Object.fromEntries(hosts.map((h) => [h, probes[h].python]));
  return runTraining({
    ...options, placements, workerPath: '',
    rankCommand: torchRankCommand(options.config, { ...torch, script, helper: torch.helper ?? eventHelperPath(), python: probes[hosts[0]].python, pythonByHost }),
  });
}
