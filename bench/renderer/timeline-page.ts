/**
 * Bench page: the Timeline view (the real renderer module) with a large run's spans — N ranks x S
 * steps of a pipeline-like step (data, forward/backward per micro-batch, collectives, optimizer) —
 * zoomed and panned by the same 180 wheel and pointer events, one per frame, while frame and draw times are recorded.
 */
import type { RunTimeline } from '../../src-shared/run-spans.js';
import type { RankSpan } from '../../src-shared/trace-spans.js';
import { showTimeline } from '../../src-renderer/views/timeline-view.js';

declare global {
  interface Window { timelineBenchConfig?: { ranks: number; steps: number; microBatches: number; interactions: number } }
}

const config = window.timelineBenchConfig ?? { ranks: 64, steps: 200, microBatches: 8, interactions: 180 };

function syntheticTimeline(): RunTimeline {
  const spans: RankSpan[] = [];
  const windows: RunTimeline['windows'] = [];
  const stepMs = 100;
  for (let step = 0; step < config.steps; step += 1) {
    for (let rank = 0; rank < config.ranks; rank += 1) {
      const stage = rank % 4;
      let t = 1.7e12 + step * stepMs + stage * 2;
      const base = { rank, step, stage };
      spans.push({ ...base, kind: 'data', name: 'data', startMs: t, durationMs: 0.2 });
      t += 0.3;
      for (const kind of ['forward', 'backward'] as const) {
        for (let mb = 0; mb < config.microBatches; mb += 1) {
          spans.push({ ...base, kind: 'collective', name: 'recv pp', group: 'pp', bytes: 65536, startMs: t, durationMs: 0.6, waitMs: 0.4, microBatch: mb });
          t += 0.7;
          spans.push({ ...base, kind, name: kind, startMs: t, durationMs: 3, microBatch: mb });
          t += 3.1;
          spans.push({ ...base, kind: 'collective', name: 'send pp', group: 'pp', bytes: 65536, startMs: t, durationMs: 0.2, microBatch: mb });
          t += 0.3;
        }
      }
      spans.push({ ...base, kind: 'collective', name: 'allReduce dp', group: 'dp', bytes: 4e6, startMs: t, durationMs: 8, waitMs: 1 });
      spans.push({ ...base, kind: 'optimizer', name: 'optimizer', startMs: t + 8.2, durationMs: 4 });
      windows.push({ rank, step, stepStartMs: 1.7e12 + step * stepMs, stepEndMs: t + 12.5 });
    }
  }
  const ranks = Array.from({ length: config.ranks }, (_, rank) => ({ rank, host: `node${Math.floor(rank / 8)}`, device: `cuda:${rank % 8}`, backend: 'bench', paramsOnRank: 0 }));
  return { runId: 'bench', ranks, spans, windows, clocks: ranks.map((r) => ({ rank: r.rank, offsetMs: 0, errorMs: 0.05, roundTrips: 8 })), operators: [], summary: null, steps: null };
}

async function main(): Promise<void> {
  const root = document.getElementById('view')!;
  const timeline = syntheticTimeline();
  const t0 = performance.now();
  showTimeline(root, timeline);
  const canvas = root.querySelector('canvas')!;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const firstDrawMs = performance.now() - t0;
  const frames: number[] = [];
  const draws: number[] = [];
  let last = performance.now();
  const startMs = last;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = (t: number) => {
      frames.push(t - last);
      draws.push(Number(canvas.dataset.drawMs));
      last = t;
      // Zoom in around the centre (first third), pan back and forth (second), zoom back out (last third).
      i += 1;
      const third = config.interactions / 3;
      const x = canvas.clientWidth / 2 + 90;
      if (i <= third || i > 2 * third) canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: i <= third ? -60 : 60, clientX: x, clientY: 60, bubbles: true, cancelable: true }));
      else {
        const dx = Math.floor((i - third) / 10) % 2 === 0 ? 40 : -40;
        canvas.dispatchEvent(new PointerEvent('pointerdown', { clientX: x, clientY: 60, buttons: 1, bubbles: true }));
        canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: x + dx, clientY: 60, buttons: 1, bubbles: true }));
        canvas.dispatchEvent(new PointerEvent('pointerup', { clientX: x + dx, clientY: 60, bubbles: true }));
      }
      if (i < config.interactions) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  window.benchResult = {
    ranks: config.ranks, steps: config.steps, spans: timeline.spans.length, firstDrawMs, drawsEvery20: draws.filter((_, k) => k % 20 === 0).join(" "), frames: frames.length,
    fps: frames.length / ((performance.now() - startMs) / 1000), frameMsP50: q(0.5), frameMsP95: q(0.95), frameMsMax: sorted[sorted.length - 1],
    framesOver50ms: frames.filter((f) => f > 50).length, drawMsP50: [...draws].sort((a, b) => a - b)[Math.floor(draws.length / 2)], drawMsMax: Math.max(...draws), lastDrawnSpans: Number(canvas.dataset.drawn),
  };
}

void main();
