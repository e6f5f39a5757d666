/** "This cluster" for the Planner: the known hosts' GPUs as one planning cluster, with where every figure came from. */
import type { GpuSpec } from '../planner/schemas.js';

/** The cluster the app knows, or why it cannot be planned for. */
export type ThisCluster =
  | {
    available: true;
    /** Catalogue entry or derived spec, calibrated figures (e.g. cross-host bus bandwidth) in its `calibration`. */
    gpu: GpuSpec;
    gpus: number;
    gpusPerNode: number;
    /** The slowest measured host-to-host link (link probe), null when none was probed. */
    interNodeBytesPerSecond: number | null;
    derivedFrom: string[];
  }
  | { available: false; reason: string; derivedFrom: string[] };
