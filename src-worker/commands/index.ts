/** Worker sub-commands. Each lives in its own file and is added here by one line. */
import { backendCommand } from './backend.js';
import { benchAllreduceRankCommand } from './bench-allreduce-rank.js';
import { calibrateEngineCommand } from './calibrate-engine.js';
import { calibrateCollectiveRankCommand } from './calibrate-collective-rank.js';
import { trainCommand } from './train.js';
import { linkProbeCommand } from './link-probe.js';

/** A worker sub-command: returns the process exit code. */
export type WorkerCommand = (args: string[]) => Promise<number>;

export const workerCommands: Record<string, WorkerCommand> = {
  backend: backendCommand,
  'bench-allreduce-rank': benchAllreduceRankCommand,
  'calibrate-engine': calibrateEngineCommand,
  'calibrate-collective-rank': calibrateCollectiveRankCommand,
  train: trainCommand,
  'link-probe': linkProbeCommand,
};
