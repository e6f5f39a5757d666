/**
 * Bench page: the Cluster view's live charts (the real renderer modules) fed with 1 hour of 2 Hz
 * samples for 64 GPUs, then pushed new samples at 2 Hz like a live run while frame times are recorded.
 */
import type { GpuSample, HostSample, TelemetryBatch } from '../../src-shared/telemetry.js';
import { TelemetryBuffer } from '../../src-renderer/state/telemetry-buffer.js';
import { mountLiveCharts } from '../../src-renderer/views/live-charts.js';
import { ViewScope } from '../../src-renderer/view-scope.js';

declare global {
  interface Window { benchResult?: unknown; benchConfig?: { gpus: number; hours: number; hz: number; measureMs: number } }
}

const config = window.benchConfig ?? { gpus: 64, hours: 1, hz: 2, measureMs: 10_000 };
const WINDOW_MS = config.hours * 3600 * 1000;

function batchAt(timestampMs: number): TelemetryBatch {
  const host: HostSample = {
    hostId: 'bench', timestampMs, cpuUtilisationPercent: 50 + 20 * Math.sin(timestampMs / 6e4), memoryUsedBytes: 2e11, memoryTotalBytes: 1e12,
    networkRxBytesPerSecond: 1e9, networkTxBytesPerSecond: 1e9,
  };
  const gpus: GpuSample[] = [];
  for (let g = 0; g < config.gpus; g += 1) {
    gpus.push({
      hostId: `node${Math.floor(g / 8)}`, gpuIndex: g % 8, gpuUuid: `GPU-${g}`, timestampMs,
      memoryUsedBytes: 6e10 + 1e10 * Math.sin(timestampMs / 3e4 + g), memoryTotalBytes: 8e10,
      utilisationPercent: 90, powerWatts: 350 + 50 * Math.sin(timestampMs / 1e4 + g), temperatureCelsius: 60, smClockMhz: 1400,
    });
  }
  return { hosts: [host], gpus, notices: [] };
}

async function main(): Promise<void> {
  const root = document.getElementById('view')!;
  const buffer = new TelemetryBuffer(WINDOW_MS);
  const { redraw } = mountLiveCharts(root, buffer, WINDOW_MS, new ViewScope());
  const stepMs = 1000 / config.hz;
  let nowMs = Date.now() - WINDOW_MS;
  const fillStart = performance.now();
  for (; nowMs < Date.now(); nowMs += stepMs) buffer.add(batchAt(nowMs));
  const fillMs = performance.now() - fillStart;
  const firstDrawStart = performance.now();
  redraw();
  const firstDrawMs = performance.now() - firstDrawStart;

  const frames: number[] = [];
  const redraws: number[] = [];
  let last = performance.now();
  const end = last + config.measureMs;
  const pushTimer = setInterval(() => {
    nowMs += stepMs;
    buffer.add(batchAt(nowMs));
    const t0 = performance.now();
    redraw();
    redraws.push(performance.now() - t0);
  }, stepMs);
  await new Promise<void>((resolve) => {
    const tick = (t: number) => {
      frames.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  clearInterval(pushTimer);
  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  window.benchResult = {
    gpus: config.gpus, pointsPerSeries: Math.round(WINDOW_MS / stepMs), totalPoints: buffer.totalPoints,
    fillMs, firstDrawMs, frames: frames.length, fps: frames.length / (config.measureMs / 1000),
    frameMsP50: q(0.5), frameMsP95: q(0.95), frameMsMax: sorted[sorted.length - 1], framesOver50ms: frames.filter((f) => f > 50).length,
    redrawMsMedian: [...redraws].sort((a, b) => a - b)[Math.floor(redraws.length / 2)], redrawMsMax: Math.max(...redraws),
  };
}

void main();
