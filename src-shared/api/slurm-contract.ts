/** The Slurm part of the ShardScopeApi contract: discover a cluster by its login host, preview and start a run as a job. */
import { z } from 'zod';
import type { HostInventory } from '../inventory.js';
import { runRequestSchema } from '../run-live.js';
import type { SlurmClusterInfo, SlurmJobAccounting, SlurmJobStatus, SlurmNode } from '../slurm.js';

/** `local`, or `[user@]host[:port]` of the login host. */
const loginHostSchema = z.string().min(1).max(255).regex(/^(local|([A-Za-z0-9._-]+@)?[A-Za-z0-9._-]+(:\d{1,5})?)$/, 'local or [user@]host[:port]');
const slurmNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/);

/** discoverSlurm: which cluster, which partition, and whether to run nvidia-smi on the nodes. */
export const discoverSlurmArgsSchema = z.object({
  loginHost: loginHostSchema,
  partition: slurmNameSchema.optional(),
  probeGpus: z.boolean().optional(),
}).strict();

/** A run as a Slurm job: the run request (without SSH hosts) and the job's resources. */
export const slurmRunRequestSchema = runRequestSchema.omit({ hosts: true }).extend({
  slurm: z.object({
    loginHost: loginHostSchema,
    partition: slurmNameSchema.optional(),
    nodes: z.number().int().min(1).max(4096),
    gpusPerNode: z.number().int().min(0).max(64).optional(),
    timeLimit: z.string().regex(/^(\d+-)?\d+(:\d{1,2}){0,2}$/, 'a Slurm time limit').optional(),
    account: slurmNameSchema.optional(),
    qos: slurmNameSchema.optional(),
  }).strict(),
}).strict();

/** A Slurm run request. */
export type SlurmRunRequest = z.infer<typeof slurmRunRequestSchema>;

/** What discovery of a cluster returns: the cluster and its nodes as hosts. */
export interface SlurmDiscoveryResult {
  slurm: SlurmClusterInfo;
  hosts: HostInventory[];
}

/** Pushed while a Slurm run's job changes: its state, or one of its nodes (drained, down); and once it has ended, what Slurm kept about it. */
export interface SlurmJobEvent {
  runId: string;
  status?: SlurmJobStatus;
  node?: SlurmNode;
  accounting?: SlurmJobAccounting;
}
