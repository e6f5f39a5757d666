/** Slurm clusters as ShardScope sees them: partitions, nodes (with gres GPUs), jobs and their states. */

/** GPUs a node declares as gres: `gpu:TYPE:COUNT` (type null when the gres has none). */
export interface SlurmGres {
  type: string | null;
  count: number;
}

/** One compute node, from `scontrol show node`. */
export interface SlurmNode {
  name: string;
  address: string;
  hostname: string;
  partitions: string[];
  /** Slurm's state, lower case with its flags, e.g. `idle`, `mixed`, `idle+drain`, `down*`. */
  state: string;
  /** Why the node is drained or down (Slurm's Reason), else null. */
  reason: string | null;
  /** True when new jobs can start there (not drained, down or failing). */
  isAvailable: boolean;
  cpus: number;
  cpusAllocated: number;
  memoryBytes: number;
  gpus: SlurmGres[];
  arch: string | null;
  os: string | null;
}

/** One partition, from `scontrol show partition`. */
export interface SlurmPartition {
  name: string;
  state: string;
  isDefault: boolean;
  /** Slurm's MaxTime as written (`UNLIMITED`, `1-00:00:00`). */
  maxTime: string;
  totalNodes: number;
  /** Node list in Slurm's compressed form, e.g. `node[1-2]`. */
  nodes: string;
}

/** A job's state as Slurm names it. */
export type SlurmJobState = 'PENDING' | 'CONFIGURING' | 'RUNNING' | 'COMPLETING' | 'COMPLETED' | 'FAILED' | 'TIMEOUT' | 'CANCELLED'
  | 'NODE_FAIL' | 'PREEMPTED' | 'OUT_OF_MEMORY' | 'BOOT_FAIL' | 'DEADLINE' | 'SUSPENDED' | 'REQUEUED' | string;

/** States after which a job runs no more. */
export const TERMINAL_JOB_STATES: readonly string[] = ['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE'];

/** What Slurm says of a job at one moment. */
export interface SlurmJobStatus {
  jobId: string;
  state: SlurmJobState;
  /** Why it waits (PENDING: `Resources`, `Priority`, `PartitionNodeLimit` ...) or ended (`NonZeroExitCode`); null for `None`. */
  reason: string | null;
  /** Allocated nodes, expanded, in allocation order (empty while pending). */
  nodes: string[];
  exitCode: string | null;
  elapsedSeconds: number | null;
}

/** Figures Slurm kept about a finished job, with where they came from. */
export interface SlurmJobAccounting {
  jobId: string;
  state: SlurmJobState;
  elapsedSeconds: number | null;
  /** ConsumedEnergy in joules when Slurm's energy accounting is configured and read something, else null. */
  energyJoules: number | null;
  /** Where the energy comes from, or why there is none, e.g. `not configured (AcctGatherEnergyType=acct_gather_energy/none)`. */
  energySource: string;
  exitCode: string | null;
  /** `sacct` (the accounting database) or `scontrol` (the controller's memory, when accounting storage is off). */
  source: 'sacct' | 'scontrol';
}

/** What discovery found on one cluster. */
export interface SlurmClusterInfo {
  /** `local` or the SSH login host. */
  loginHost: string;
  clusterName: string | null;
  partitions: SlurmPartition[];
  nodes: SlurmNode[];
  discoveredAtMs: number;
}

/** How a plan becomes a job: Slurm's resources and limits (absent = the cluster's default). */
export interface SlurmJobRequest {
  nodes: number;
  tasksPerNode: number;
  gpusPerTask: number;
  partition?: string;
  /** Slurm time limit, e.g. `30`, `01:00:00`, `1-00:00:00`. */
  timeLimit?: string;
  account?: string;
  qos?: string;
}

/** Where a run sits on a Slurm cluster (kept with the run's plan). */
export interface SlurmRunInfo {
  loginHost: string;
  jobId: string;
  /** The sbatch script as submitted. */
  script: string;
  jobDir: string;
  request: SlurmJobRequest;
}
