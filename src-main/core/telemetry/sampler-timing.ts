/**
 * The timing every host sampler shares (this machine's and an SSH host's): the smallest sampling
 * interval, how often the slower nvidia-smi queries run, and how long a link-rate figure stays fresh.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Smallest sampling interval a sampler accepts. */
export const MIN_SAMPLE_INTERVAL_MS = 50;

/** Throws `bad-input` unless `intervalMs` is a usable sampling interval. */
export function checkSampleInterval(intervalMs: number, minimumMs = MIN_SAMPLE_INTERVAL_MS): void {
  if (!Number.isFinite(intervalMs) || intervalMs < minimumMs) throw new ShardScopeError('bad-input', `sample interval must be at least ${minimumMs} ms, got ${intervalMs}`);
}

/** The intervals of one sampler, with the defaults filled in. */
export interface SamplerTiming {
  intervalMs: number;
  /** NVLink counters are read this often (default max(interval, 2 s)). */
  nvlinkIntervalMs: number;
  /** Compute processes are listed this often (default max(interval, 1 s)). */
  processIntervalMs: number;
  /** A PCIe/NVLink figure older than this is not attached to a GPU sample (a dead stream shows as a gap). */
  linkRateMaxAgeMs: number;
}

/** Fills in the defaults. */
export function samplerTiming(intervalMs: number, options: { nvlinkIntervalMs?: number; processIntervalMs?: number } = {}): SamplerTiming {
  const nvlinkIntervalMs = options.nvlinkIntervalMs ?? Math.max(intervalMs, 2000);
  return {
    intervalMs, nvlinkIntervalMs,
    processIntervalMs: options.processIntervalMs ?? Math.max(intervalMs, 1000),
    linkRateMaxAgeMs: Math.max(3 * intervalMs, 2500, 2 * nvlinkIntervalMs + intervalMs),
  };
}
