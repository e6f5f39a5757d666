/**
 * Joins the slower link-throughput streams (PCIe from dmon, NVLink from counter deltas) onto the
 * GPU samples of the query stream: each GPU sample carries the latest fresh figure for its index.
 * A figure older than the freshness limit is not attached, so a dead stream shows as a gap.
 */
import type { GpuSample } from '../../../src-shared/telemetry.js';
import type { PcieThroughput } from './smi-dmon-parse.js';
import { nvlinkRatesBetween, type NvlinkGpu, type NvlinkRate } from './smi-nvlink-parse.js';

interface Stamped<T> { value: T; timestampMs: number }

/** Latest PCIe and NVLink rates per GPU index. */
export class GpuLinkRates {
  private readonly pcie = new Map<number, Stamped<PcieThroughput>>();
  private readonly nvlink = new Map<number, Stamped<NvlinkRate>>();

  constructor(private readonly maxAgeMs: number) {}

  /** Records a dmon row's PCIe throughput seen at `timestampMs`. */
  setPcie(value: PcieThroughput, timestampMs: number): void {
    this.pcie.set(value.gpuIndex, { value, timestampMs });
  }

  /** Records NVLink rates computed at `timestampMs`. */
  setNvlink(rates: NvlinkRate[], timestampMs: number): void {
    for (const value of rates) this.nvlink.set(value.gpuIndex, { value, timestampMs });
  }

  /** Forgets everything (after a connection loss). */
  clear(): void {
    this.pcie.clear();
    this.nvlink.clear();
  }

  /** The sample with the fresh link figures of its GPU added (fields left out when there are none). */
  enrich(sample: GpuSample): GpuSample {
    const isFresh = (t: number) => Math.abs(sample.timestampMs - t) <= this.maxAgeMs;
    const pcie = this.pcie.get(sample.gpuIndex);
    const nvlink = this.nvlink.get(sample.gpuIndex);
    const out: GpuSample = { ...sample };
    if (pcie && isFresh(pcie.timestampMs)) {
      out.pcieRxBytesPerSecond = pcie.value.rxBytesPerSecond;
      out.pcieTxBytesPerSecond = pcie.value.txBytesPerSecond;
    }
    if (nvlink && isFresh(nvlink.timestampMs)) {
      out.nvlinkRxBytesPerSecond = nvlink.value.rxBytesPerSecond;
      out.nvlinkTxBytesPerSecond = nvlink.value.txBytesPerSecond;
    }
    return out;
  }
}

/** Turns successive NVLink counter readings into rates (sans-IO). */
export class NvlinkDeltas {
  private previous: Stamped<NvlinkGpu[]> | null = null;

  /** Rates since the previous reading (empty for the first one). */
  next(gpus: NvlinkGpu[], timestampMs: number): NvlinkRate[] {
    const before = this.previous;
    this.previous = { value: gpus, timestampMs };
    return before ? nvlinkRatesBetween(before.value, gpus, (timestampMs - before.timestampMs) / 1000) : [];
  }

  /** Forgets the previous reading (rates never span a gap). */
  reset(): void {
    this.previous = null;
  }
}
