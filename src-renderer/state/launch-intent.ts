/** A run request handed from one view to the Run view (the Planner's "Launch this plan", here or on a Slurm cluster), taken once. */
import type { RunRequest } from '../../src-shared/run-live.js';

let pending: Partial<RunRequest> | null = null;

/** Keeps a request for the Run view to put in its form. */
export function setLaunchIntent(request: Partial<RunRequest>): void {
  pending = request;
}

/** The request kept for the Run view, once (null when there is none). */
export function takeLaunchIntent(): Partial<RunRequest> | null {
  const request = pending;
  pending = null;
  return request;
}

/** A planned run for the Run view's Slurm form: the run request and the job's shape (nodes, GPUs per node). */
export interface SlurmLaunchIntent {
  request: Partial<RunRequest>;
  nodes: number;
  gpusPerNode: number;
}

let pendingSlurm: SlurmLaunchIntent | null = null;

/** Keeps a planned run for the Run view's Slurm form. */
export function setSlurmLaunchIntent(intent: SlurmLaunchIntent): void {
  pendingSlurm = intent;
}

/** The planned run kept for the Slurm form, once (null when there is none). */
export function takeSlurmLaunchIntent(): SlurmLaunchIntent | null {
  const intent = pendingSlurm;
  pendingSlurm = null;
  return intent;
}
