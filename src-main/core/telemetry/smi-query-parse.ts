/**
 * Sans-IO parsing of the streaming GPU sampler: `nvidia-smi --query-gpu=<gpuQueryFields>
 * --format=csv,noheader,nounits -lms N`. Feed stdout chunks in, get complete lines out; each line
 * becomes a GpuSample or a rejection with a reason. Placeholders ("[N/A]", "[Not Supported]") are null.
 */
import type { GpuSample } from '../../../src-shared/telemetry.js';
import { isNotAvailable } from '../inventory/smi-values-parse.js';

/** The fields the sampler asks for, in order. */
export const gpuQueryFields = ['index', 'uuid', 'memory.used', 'memory.total', 'utilization.gpu', 'power.draw', 'temperature.gpu', 'clocks.sm', 'clocks.mem', 'power.limit'] as const;
/** Fields every line must have (the last ones were added later: a line without them is still read). */
const requiredFieldCount = 8;

const bytesPerMiB = 1024 * 1024;

/** Arguments of the streaming sampler for a sampling interval. */
export function gpuQueryArgs(intervalMs: number): string[] {
  return [`--query-gpu=${gpuQueryFields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(Math.max(1, Math.round(intervalMs)))];
}

/** Splits a byte stream into lines, whatever the chunk boundaries (CRLF tolerated). */
export class LineSplitter {
  private pending = '';

  /** Adds a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    return parts.map((line) => line.replace(/\r$/, ''));
  }

  /** Returns the unterminated rest (at end of stream), if any. */
  flush(): string[] {
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** The result of reading one line: a sample, or why the line was not one. */
export type GpuLineResult = { ok: true; sample: GpuSample } | { ok: false; reason: string };

function numberOrNull(cell: string): number | null {
  if (isNotAvailable(cell)) return null;
  const value = Number(cell);
  return cell !== '' && Number.isFinite(value) ? value : null;
}

/** Reads one CSV line of the sampler into a GpuSample stamped `timestampMs`; index and memory are required. */
export function parseGpuQueryLine(line: string, hostId: string, timestampMs: number): GpuLineResult {
  const cells = line.split(',').map((cell) => cell.trim());
  if (cells.length < requiredFieldCount || cells.length > gpuQueryFields.length) {
    return { ok: false, reason: `expected ${gpuQueryFields.length} fields, got ${cells.length}: "${line.slice(0, 120)}"` };
  }
  const [index, uuid, memoryUsedMiB, memoryTotalMiB, utilisation, power, temperature, smClock, memoryClock, powerLimit] = cells;
  const gpuIndex = numberOrNull(index);
  const used = numberOrNull(memoryUsedMiB);
  const total = numberOrNull(memoryTotalMiB);
  if (gpuIndex === null || !Number.isInteger(gpuIndex) || used === null || total === null) {
    return { ok: false, reason: `no GPU index or memory figures in "${line.slice(0, 120)}"` };
  }
  return {
    ok: true,
    sample: {
      hostId,
      gpuIndex,
      gpuUuid: isNotAvailable(uuid) ? '' : uuid,
      timestampMs,
      memoryUsedBytes: Math.round(used * bytesPerMiB),
      memoryTotalBytes: Math.round(total * bytesPerMiB),
      utilisationPercent: numberOrNull(utilisation),
      powerWatts: numberOrNull(power),
      temperatureCelsius: numberOrNull(temperature),
      smClockMhz: numberOrNull(smClock),
      ...(memoryClock !== undefined ? { memoryClockMhz: numberOrNull(memoryClock) } : {}),
      ...(powerLimit !== undefined ? { powerLimitWatts: numberOrNull(powerLimit) } : {}),
    },
  };
}
