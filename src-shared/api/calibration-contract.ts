/**
 * The Calibrate part of the ShardScopeApi contract: what to measure (this machine, saved SSH hosts, or
 * both: then the collectives and the link between every pair too), what it returns, and every known
 * host's calibration state (latest figures with their age, history, or "never calibrated").
 */
import { z } from 'zod';
import type { CalibrationState, HostCalibration } from '../calibration/calibration-record.js';
import { hostIdSchema, type HostLinkView } from './hosts-contract.js';

/** calibrate: the engine preset whose shapes are measured; `hosts` (saved host ids and/or `local`) default to this machine only. */
export const calibrateArgsSchema = z.object({
  model: z.string().min(1).max(100).regex(/^[\w.-]+$/),
  hosts: z.array(hostIdSchema).min(1).max(16)
    .superRefine((ids, ctx) => {
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `host "${dup}" is chosen twice` });
    })
    .optional(),
  /** Repetitions per measurement (as `calibrate --reps`; default 5). */
  reps: z.number().int().min(1).max(100).optional(),
  /** The global batch whose micro-batch shapes are measured (as `calibrate --global-batch`). */
  globalBatch: z.number().int().min(1).max(4096).optional(),
}).strict();

/** What one calibrate call measured and stored: each host's calibration (ids from the store) and, with several hosts, the links probed between them (kept in hosts.json). */
export interface CalibrateResult {
  calibrations: HostCalibration[];
  links: HostLinkView[];
}

/** One known host's calibration state, as the Calibrate panel lists it. */
export interface KnownHostCalibration extends CalibrationState {
  /** `local`: this machine; `ssh`: a saved SSH host. */
  kind: 'local' | 'ssh';
  /** Whether the host answered its last discovery (`unchecked`: not discovered since the app started; this machine is always `ok`). */
  reachable: 'ok' | 'error' | 'unchecked';
  /** The one-line reason when it did not answer. */
  reachError: string | null;
}

/** getCalibrations: this machine and every saved SSH host, this machine first. */
export interface KnownCalibrations {
  hosts: KnownHostCalibration[];
}
