/**
 * Pure reading of `nvidia-smi nvlink` output: `-gt d` / `-gt r` data counters (KiB per link and
 * direction), `-s` link status lines, and the per-GPU "no NVLink here" messages. Two counter
 * readings taken some seconds apart give NVLink rx/tx bytes per second per GPU.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';

/** One link of one GPU: its counters (KiB, absent in `-s` output) and its speed/state. */
export interface NvlinkLink {
  link: number;
  txKiB: number | null;
  rxKiB: number | null;
  /** Per-direction link speed from `nvlink -s`, GB/s; null when inactive or not printed. */
  speedGBps: number | null;
  isActive: boolean;
}

/** NVLink of one GPU; `note` carries the driver's reason when it has none to report. */
export interface NvlinkGpu {
  gpuIndex: number;
  name: string;
  uuid: string;
  links: NvlinkLink[];
  note: string | null;
}

/** NVLink rx/tx of one GPU between two readings. */
export interface NvlinkRate {
  gpuIndex: number;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
}

const gpuLine = /^GPU (\d+): (.*?) \(UUID: ([^)]*)\)\s*$/;
const counterLine = /^Link (\d+): (Data|Raw) (Tx|Rx): (\d+) KiB\s*$/;
const statusLine = /^Link (\d+): (?:([\d.]+) GB\/s|<inactive>)\s*$/;
const noNvlinkLine = /nvlink|NVML|not supported|does not have/i;

/** Parses nvlink output; throws `smi-parse` for text that is not nvlink output. Empty text means no NVLink. */
export function parseNvlink(text: string): NvlinkGpu[] {
  const gpus: NvlinkGpu[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '').trim());
  lines.forEach((line, i) => {
    if (line === '' || line === '...') return;
    const gpu = gpuLine.exec(line);
    if (gpu) {
      gpus.push({ gpuIndex: Number(gpu[1]), name: gpu[2], uuid: gpu[3], links: [], note: null });
      return;
    }
    const current = gpus[gpus.length - 1];
    if (!current) throw new ShardScopeError('smi-parse', `nvidia-smi nvlink: line ${i + 1} comes before any "GPU N:" line: "${line.slice(0, 120)}"`);
    const counter = counterLine.exec(line);
    const status = counter ? null : statusLine.exec(line);
    if (counter || status) {
      const linkIndex = Number((counter ?? status)![1]);
      let link = current.links.find((l) => l.link === linkIndex);
      if (!link) {
        link = { link: linkIndex, txKiB: null, rxKiB: null, speedGBps: null, isActive: true };
        current.links.push(link);
      }
      if (counter) {
        // Raw counters include protocol overhead; data counters are the payload. Keep data when both appear.
        const isData = counter[2] === 'Data';
        const key = counter[3] === 'Tx' ? 'txKiB' : 'rxKiB';
        if (isData || link[key] === null) link[key] = Number(counter[4]);
      } else {
        link.speedGBps = status![2] === undefined ? null : Number(status![2]);
        link.isActive = status![2] !== undefined;
      }
      return;
    }
    if (noNvlinkLine.test(line)) {
      current.note = line;
      return;
    }
    throw new ShardScopeError('smi-parse', `nvidia-smi nvlink: unreadable line ${i + 1}: "${line.slice(0, 120)}"`);
  });
  return gpus;
}

/** True when at least one GPU reports NVLink data counters. */
export function hasNvlinkCounters(gpus: NvlinkGpu[]): boolean {
  return gpus.some((g) => g.links.some((l) => l.txKiB !== null || l.rxKiB !== null));
}

/** Total tx/rx KiB of a GPU over its links (null when it has no counters). */
export function nvlinkTotalsKiB(gpu: NvlinkGpu): { txKiB: number; rxKiB: number } | null {
  const withCounters = gpu.links.filter((l) => l.txKiB !== null || l.rxKiB !== null);
  if (withCounters.length === 0) return null;
  return {
    txKiB: withCounters.reduce((sum, l) => sum + (l.txKiB ?? 0), 0),
    rxKiB: withCounters.reduce((sum, l) => sum + (l.rxKiB ?? 0), 0),
  };
}

/**
 * NVLink rx/tx bytes per second of each GPU present in both readings, `seconds` apart. A counter that
 * went backwards (driver reset or counters cleared) gives no rate for that GPU rather than a negative one.
 */
export function nvlinkRatesBetween(before: NvlinkGpu[], after: NvlinkGpu[], seconds: number): NvlinkRate[] {
  if (!(seconds > 0)) return [];
  const rates: NvlinkRate[] = [];
  for (const gpu of after) {
    const earlier = before.find((g) => g.gpuIndex === gpu.gpuIndex);
    const a = earlier ? nvlinkTotalsKiB(earlier) : null;
    const b = nvlinkTotalsKiB(gpu);
    if (!a || !b || b.txKiB < a.txKiB || b.rxKiB < a.rxKiB) continue;
    rates.push({ gpuIndex: gpu.gpuIndex, txBytesPerSecond: ((b.txKiB - a.txKiB) * 1024) / seconds, rxBytesPerSecond: ((b.rxKiB - a.rxKiB) * 1024) / seconds });
  }
  return rates;
}

/** Arguments of one NVLink data-counter reading. */
export const nvlinkCounterArgs = ['nvlink', '-gt', 'd'] as const;
