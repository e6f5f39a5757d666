/**
 * The timeline of a run: one lane per rank with its spans at their real times (rank 0's clock),
 * colours by kind, wheel to zoom around the pointer, drag to pan, double-click to fit; per step the
 * exposed communication, pipeline bubble and slowest rank (a click on a step zooms to it); a click
 * on a span shows its details. `mountTimeline(root, api, runId)` is what a run page places.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunTimeline } from '../../src-shared/run-spans.js';
import type { RankSpan } from '../../src-shared/trace-spans.js';
import { formatPercent } from '../../src-shared/units.js';
import { el, formatBytes } from '../format.js';
import { onChartThemeChange } from '../charts/chart-theme.js';
import { buildLanes, drawTimeline, LAYOUT, SPAN_COLOURS, spanAt, timeAt, type Viewport } from './timeline-canvas.js';

/** Loads a run's timeline and shows it in `root`; returns the unmount function. */
export function mountTimeline(root: HTMLElement, api: ShardScopeApi, runId: string): () => void {
  const box = el('section', 'timeline');
  box.dataset.runId = runId;
  box.append(el('p', 'note', 'Loading spans…'));
  root.append(box);
  let unmount = () => {};
  let isMounted = true;
  api.getRunTimeline({ runId }).then((timeline) => {
    if (!isMounted) return;
    box.replaceChildren();
    unmount = showTimeline(box, timeline);
  }, (error: Error) => {
    box.replaceChildren(el('p', 'error-box', `could not load the timeline of ${runId}: ${error.message}`));
  });
  return () => {
    isMounted = false;
    unmount();
    box.remove();
  };
}

function legend(): HTMLElement {
  const row = el('div', 'timeline-legend');
  for (const [name, colour] of Object.entries(SPAN_COLOURS)) {
    if (name === 'collective') continue;
    const item = el('span', undefined, name === 'dp' || name === 'tp' || name === 'pp' ? `${name} collective` : name);
    item.style.setProperty('--swatch', colour);
    row.append(item);
  }
  return row;
}

function stepTable(timeline: RunTimeline, onPick: (step: number) => void): HTMLElement {
  const table = el('table', 'figures timeline-steps');
  const head = el('tr');
  for (const h of ['step', 'longest rank step (ms)', 'exposed comm (ms, max rank)', 'bubble (ms, max rank)', 'pipeline bubble', 'slowest rank']) head.append(el('th', undefined, h));
  table.append(head);
  for (const s of timeline.summary?.steps ?? []) {
    const tr = el('tr');
    tr.dataset.step = String(s.step);
    const max = (pick: (r: (typeof s.ranks)[number]) => number) => Math.max(...s.ranks.map(pick)).toFixed(2);
    tr.append(el('td', undefined, String(s.step)), el('td', undefined, max((r) => r.totalMs)), el('td', undefined, max((r) => r.exposedCommunicationMs)),
      el('td', undefined, max((r) => r.bubbleMs)), el('td', undefined, formatPercent(s.bubbleFraction)),
      el('td', undefined, String(s.slowestRank)));
    tr.addEventListener('click', () => onPick(s.step));
    table.append(tr);
  }
  return table;
}

function details(span: RankSpan, originMs: number): HTMLElement {
  const dl = el('dl', 'timeline-details');
  const rows: Array<[string, string]> = [
    ['span', span.name], ['rank', String(span.rank)], ['stage', String(span.stage)], ['step', String(span.step)],
    ['start', `${(span.startMs - originMs).toFixed(3)} ms`], ['duration', `${span.durationMs.toFixed(3)} ms`],
  ];
  if (span.microBatch !== undefined) rows.push(['micro-batch', String(span.microBatch)]);
  if (span.group !== undefined) rows.push(['group', span.group]);
  if (span.bytes !== undefined) rows.push(['bytes', formatBytes(span.bytes)]);
  if (span.waitMs !== undefined) rows.push(['waiting', `${span.waitMs.toFixed(3)} ms`], ['transfer', `${(span.durationMs - span.waitMs).toFixed(3)} ms`]);
  for (const [k, v] of rows) dl.append(el('dt', undefined, k), el('dd', undefined, v));
  return dl;
}

/** Shows a loaded timeline in `box`; returns the unmount function. */
export function showTimeline(box: HTMLElement, timeline: RunTimeline): () => void {
  const lanes = buildLanes(timeline.spans, timeline.ranks, timeline.clocks);
  if (lanes.length === 0) {
    box.append(el('p', 'note', 'This run recorded no spans (another engine, an older run, or --trace-steps none).'));
    return () => {};
  }
  // Loops, not Math.min(...list): a large run has far more spans than a call may take arguments.
  let originMs = Infinity;
  let endMs = -Infinity;
  for (const w of timeline.windows) {
    originMs = Math.min(originMs, w.stepStartMs);
    endMs = Math.max(endMs, w.stepEndMs);
  }
  for (const s of timeline.spans) originMs = Math.min(originMs, s.startMs);
  const canvas = el('canvas', 'timeline-canvas');
  canvas.dataset.lanes = String(lanes.length);
  canvas.dataset.spans = String(timeline.spans.length);
  const info = el('div', 'timeline-info', 'Click a span for its details · wheel: zoom · drag: pan · double-click: fit');
  const view: Viewport = { startMs: originMs, endMs, widthPx: 800 };
  const heightPx = LAYOUT.axisPx + lanes.length * LAYOUT.lanePx + 4;
  let frame = 0;
  const redraw = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const ratio = window.devicePixelRatio || 1;
      view.widthPx = Math.max(LAYOUT.gutterPx + 100, canvas.clientWidth);
      // Assigning a canvas size reallocates it: only when it changed.
      if (canvas.width !== Math.round(view.widthPx * ratio)) canvas.width = Math.round(view.widthPx * ratio);
      if (canvas.height !== Math.round(heightPx * ratio)) canvas.height = Math.round(heightPx * ratio);
      const ctx = canvas.getContext('2d')!;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const drawStartMs = performance.now();
      canvas.dataset.drawn = String(drawTimeline(ctx, lanes, view, originMs, heightPx));
      canvas.dataset.drawMs = (performance.now() - drawStartMs).toFixed(2);
      canvas.dataset.viewMs = `${(view.startMs - originMs).toFixed(3)}-${(view.endMs - originMs).toFixed(3)}`;
    });
  };
  canvas.style.height = `${heightPx}px`;
  const zoomTo = (startMs: number, stopMs: number) => {
    view.startMs = startMs;
    view.endMs = Math.max(startMs + 0.01, stopMs);
    redraw();
  };
  canvas.addEventListener('wheel', (event) => {
    event.preventDefault();
    const at = timeAt(view, event.offsetX);
    const factor = Math.exp(event.deltaY / 500);
    zoomTo(at - (at - view.startMs) * factor, at + (view.endMs - at) * factor);
  }, { passive: false });
  let drag: { x: number; startMs: number; endMs: number; moved: boolean } | null = null;
  canvas.addEventListener('pointerdown', (event) => { drag = { x: event.offsetX, startMs: view.startMs, endMs: view.endMs, moved: false }; });
  canvas.addEventListener('pointermove', (event) => {
    if (!drag || (event.buttons & 1) === 0) return;
    const dx = event.offsetX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    const shiftMs = (dx / (view.widthPx - LAYOUT.gutterPx)) * (drag.endMs - drag.startMs);
    zoomTo(drag.startMs - shiftMs, drag.endMs - shiftMs);
  });
  canvas.addEventListener('pointerup', (event) => {
    const wasDrag = drag?.moved ?? false;
    drag = null;
    if (wasDrag) return;
    const span = spanAt(lanes, view, event.offsetX, event.offsetY);
    info.replaceChildren(span ? details(span, originMs) : el('span', 'note', 'no span there'));
    info.dataset.span = span?.name ?? '';
  });
  canvas.addEventListener('dblclick', () => zoomTo(originMs, endMs));
  const onPick = (step: number) => {
    const windows = timeline.windows.filter((w) => w.step === step);
    zoomTo(Math.min(...windows.map((w) => w.stepStartMs)), Math.max(...windows.map((w) => w.stepEndMs)));
  };
  const s = timeline.summary;
  const headline = s?.bubbleFractionIdeal != null
    ? `Pipeline bubble measured ${formatPercent(s.bubbleFractionMeasured)} vs (p-1)/(m+p-1) = ${formatPercent(s.bubbleFractionIdeal)}`
    : `${s?.tracedSteps ?? 0} traced steps`;
  const range = timeline.steps;
  const windowNote = range && (range.firstStep > range.tracedFirstStep || range.lastStep < range.tracedLastStep)
    ? ` · showing steps ${range.firstStep}-${range.lastStep} of ${range.tracedFirstStep}-${range.tracedLastStep}` : '';
  box.append(el('h2', undefined, `Timeline · ${timeline.runId}`), el('p', 'note', `${headline}${windowNote} · times on rank 0's clock, ranks aligned at rendezvous`), legend(), canvas, info, stepTable(timeline, onPick));
  const resize = new ResizeObserver(redraw);
  resize.observe(canvas);
  const offScheme = onChartThemeChange(redraw);
  redraw();
  return () => {
    resize.disconnect();
    offScheme();
    if (frame) cancelAnimationFrame(frame);
  };
}
