/** What each task of the job runs, per engine: the built-in worker, or the torch engine's script through its helper. */
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { torchRankCommand, type TorchEngineOptions } from '../launch/torch-rank-command.js';
import { fileWord, RANK_VARIABLES, type SlurmRankCommand } from './sbatch-script.js';

/** Where the engine's files are as the nodes see them. */
export interface SlurmEngineFiles {
  /** Node.js on the nodes (the built-in engine), and the environment it needs (e.g. ELECTRON_RUN_AS_NODE). */
  node: string;
  nodeEnv?: Record<string, string>;
  /** Training data as the nodes see it, when it had to be copied there (else the config's own). */
  dataPath?: string;
  workerPath: string;
  torch: Required<Pick<TorchEngineOptions, 'script' | 'helper' | 'python'>>;
}

/** Variables Slurm's task ids set per task (the script exports them), dropped from the fixed environment. */
const perTaskVariables = ['MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE', 'GROUP_RANK'];

/** The rank command of the run's engine; the config is read from `config.json`, the run secret from `secret` (job folder). */
export function slurmRankCommand(engine: 'tfjs' | 'torch', config: TrainConfig, runId: string, files: SlurmEngineFiles): SlurmRankCommand {
  if (engine === 'tfjs') {
    return {
      command: files.node,
      args: [files.workerPath, 'train', '--config', fileWord('config.json'), '--rank', RANK_VARIABLES.rank, '--world-size', RANK_VARIABLES.worldSize, '--master', RANK_VARIABLES.master],
      env: { ...files.nodeEnv, SHARDSCOPE_RUN_ID: runId },
      envFromFiles: { SHARDSCOPE_RUN_SECRET: 'secret' },
    };
  }
  // The torch engine's own builder, for one placeholder rank: its per-rank variables come from Slurm instead.
  const placement = { rank: 0, host: 'slurm', device: 'gpu0' };
  const built = torchRankCommand(config, { ...files.torch })({ placement, placements: [placement], worldSize: 1, runId, masterAddr: '', masterPort: 0 });
  const env = Object.fromEntries(Object.entries(built.env).filter(([k]) => !perTaskVariables.includes(k)));
  return { command: built.command, args: built.args, env: { ...env, SHARDSCOPE_RUN_ID: runId } };
}
