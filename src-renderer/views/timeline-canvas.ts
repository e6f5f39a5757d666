/**
 * Draws a run's spans on a canvas: one lane per rank (compute row above, collectives below, the
 * wait before a collective's first byte shaded apart), a time axis, and a visible window that zoom
 * and pan move. Only spans inside the window are visited (binary search per row), and spans
 * narrower than a pixel share one pixel column, so a large run costs what the screen shows.
 */
import type { RankRecord } from '../../src-shared/run-record.js';
import type { RankSpan, SpanKind } from '../../src-shared/trace-spans.js';

/** Colours by kind (collectives by group); `wait` is the waiting part of a collective. */
export const SPAN_COLOURS: Record<SpanKind | 'wait' | 'dp' | 'tp' | 'pp', string> = {
  forward: '#4c9be8', backward: '#9b6be8', optimizer: '#e8a94c', data: '#8c8c8c', operator: '#5fb3b3', collective: '#4ce88c',
  dp: '#4ce88c', tp: '#e8e04c', pp: '#e86b4c', wait: '#5a5f6a',
};

/** Geometry of the drawing. */
export const LAYOUT = { gutterPx: 180, axisPx: 24, lanePx: 40, rowPx: 14, rowGapPx: 4 };

/** One rank's spans, split into the rows drawn, each sorted by start. */
export interface Lane {
  rank: number;
  label: string;
  /** Device and clock error, drawn small under the label. */
  detail: string;
  compute: RankSpan[];
  comm: RankSpan[];
  /** Longest span of each row (bounds the binary search's look-back). */
  longestMs: [number, number];
  /** Coarser copies of the rows for zoomed-out views (see coarsen), finest first. */
  levels: CoarseLevel[];
}

/** A row's spans with neighbours of one colour less than `gapMs` apart merged into one. */
export interface CoarseLevel {
  gapMs: number;
  compute: RankSpan[];
  comm: RankSpan[];
  longestMs: [number, number];
}

/** Gaps merged by the coarse levels: a level is used once a pixel covers more than its gap. */
const LEVEL_GAPS_MS = [1, 10, 100, 1000];

function colourOf(s: RankSpan): string {
  return s.kind === 'collective' ? SPAN_COLOURS[(s.group as 'dp' | 'tp' | 'pp') ?? 'collective'] ?? SPAN_COLOURS.collective : SPAN_COLOURS[s.kind];
}

/** Merges neighbours of one colour closer than gapMs (waits are dropped: they are under a pixel at these zooms). */
export function coarsen(list: RankSpan[], gapMs: number): RankSpan[] {
  const out: RankSpan[] = [];
  let open: RankSpan | null = null;
  for (const s of list) {
    if (open && colourOf(open) === colourOf(s) && s.startMs - (open.startMs + open.durationMs) < gapMs) {
      open.durationMs = Math.max(open.durationMs, s.startMs + s.durationMs - open.startMs);
      continue;
    }
    open = { ...s, waitMs: undefined };
    out.push(open);
  }
  return out;
}

/** Builds the lanes (ranks in order) from a run's spans. */
export function buildLanes(spans: RankSpan[], ranks: RankRecord[], clocks: Array<{ rank: number; offsetMs: number; errorMs: number }>): Lane[] {
  const byRank = new Map<number, RankSpan[]>();
  for (const s of spans) {
    let list = byRank.get(s.rank);
    if (!list) byRank.set(s.rank, list = []);
    list.push(s);
  }
  return [...byRank.keys()].sort((a, b) => a - b).map((rank) => {
    const own = byRank.get(rank)!.slice().sort((a, b) => a.startMs - b.startMs);
    const compute = own.filter((s) => s.kind !== 'collective');
    const comm = own.filter((s) => s.kind === 'collective');
    const placed = ranks.find((r) => r.rank === rank);
    const clock = clocks.find((c) => c.rank === rank);
    const longest = (list: RankSpan[]) => list.reduce((m, s) => Math.max(m, s.durationMs), 0);
    const levels: CoarseLevel[] = [];
    let [coarseCompute, coarseComm] = [compute, comm];
    for (const gapMs of LEVEL_GAPS_MS) {
      [coarseCompute, coarseComm] = [coarsen(coarseCompute, gapMs), coarsen(coarseComm, gapMs)];
      levels.push({ gapMs, compute: coarseCompute, comm: coarseComm, longestMs: [longest(coarseCompute), longest(coarseComm)] });
    }
    return {
      rank, compute, comm, longestMs: [longest(compute), longest(comm)], levels,
      label: `rank ${rank}${placed ? ` · ${placed.host}` : ''}`,
      // The clock error first: a long device name is cut at the gutter's edge.
      detail: `${clock && rank !== 0 ? `clock ±${clock.errorMs.toFixed(2)} ms · ` : ''}${placed?.device ?? ''}`,
    };
  });
}

/** First index whose span could reach `fromMs` (spans sorted by start, none longer than `longestMs`). */
export function firstVisible(list: RankSpan[], fromMs: number, longestMs: number): number {
  let lo = 0;
  let hi = list.length;
  const target = fromMs - longestMs;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].startMs < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The visible time window and the canvas it maps to. */
export interface Viewport {
  startMs: number;
  endMs: number;
  widthPx: number;
}

function xOf(view: Viewport, ms: number): number {
  return LAYOUT.gutterPx + ((ms - view.startMs) / (view.endMs - view.startMs)) * (view.widthPx - LAYOUT.gutterPx);
}

/** Time at a canvas x. */
export function timeAt(view: Viewport, x: number): number {
  return view.startMs + ((x - LAYOUT.gutterPx) / (view.widthPx - LAYOUT.gutterPx)) * (view.endMs - view.startMs);
}

/**
 * Rectangles of one row, merged per colour while they touch (less than a pixel apart): a zoomed-out
 * run draws a few runs of colour instead of a rectangle per span.
 */
class RowPainter {
  /** Open rectangle per colour: [x0, x1], NaN when none. */
  private readonly open = new Map<string, Float64Array>();

  constructor(private readonly ctx: CanvasRenderingContext2D, private readonly y: number) {}

  add(colour: string, x0: number, x1: number): void {
    let rect = this.open.get(colour);
    if (!rect) this.open.set(colour, rect = new Float64Array([NaN, NaN]));
    if (x0 <= rect[1] + 1) {
      if (x1 > rect[1]) rect[1] = x1;
      return;
    }
    if (rect[0] === rect[0]) this.fill(colour, rect);
    rect[0] = x0;
    rect[1] = x1;
  }

  flush(): void {
    for (const [colour, rect] of this.open) if (rect[0] === rect[0]) this.fill(colour, rect);
    this.open.clear();
  }

  private fill(colour: string, rect: Float64Array): void {
    this.ctx.fillStyle = colour;
    this.ctx.fillRect(rect[0], this.y, Math.max(1, rect[1] - rect[0]), LAYOUT.rowPx);
  }
}

function drawRow(ctx: CanvasRenderingContext2D, view: Viewport, list: RankSpan[], longestMs: number, y: number, isComm: boolean): number {
  let drawn = 0;
  let lastColumn = -1;
  const right = view.widthPx;
  const painter = new RowPainter(ctx, y);
  for (let i = firstVisible(list, view.startMs, longestMs); i < list.length; i += 1) {
    const s = list[i];
    if (s.startMs > view.endMs) break;
    const x0 = Math.max(LAYOUT.gutterPx, xOf(view, s.startMs));
    const x1 = Math.min(right, xOf(view, s.startMs + s.durationMs));
    if (x1 < LAYOUT.gutterPx) continue;
    if (x1 - x0 < 1) {
      // Sub-pixel spans: one mark per pixel column. A row's spans do not overlap (one rank's compute, or
      // its blocking collectives), so only the last span starting in a column can reach past it: jump there.
      const column = Math.floor(x0);
      if (column === lastColumn) {
        const last = firstVisible(list, timeAt(view, column + 1), 0) - 1;
        if (last > i) i = last - 1;
        continue;
      }
      lastColumn = column;
    }
    painter.add(colourOf(s), x0, x1);
    if (isComm && s.waitMs) {
      const xw = Math.min(x1, xOf(view, s.startMs + Math.min(s.waitMs, s.durationMs)));
      if (xw - x0 >= 1) painter.add(SPAN_COLOURS.wait, x0, xw);
    }
    drawn += 1;
  }
  painter.flush();
  return drawn;
}

/** `text` cut with an ellipsis to fit `widthPx`. */
function fit(ctx: CanvasRenderingContext2D, text: string, widthPx: number): string {
  if (ctx.measureText(text).width <= widthPx) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > widthPx) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function niceStepMs(spanMs: number): number {
  const raw = spanMs / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * power).find((k) => k >= raw) ?? 10 * power;
}

/** Draws everything; returns how many span rectangles were drawn. `originMs` is time zero of the axis. */
export function drawTimeline(ctx: CanvasRenderingContext2D, lanes: Lane[], view: Viewport, originMs: number, heightPx: number): number {
  ctx.clearRect(0, 0, view.widthPx, heightPx);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const stepMs = niceStepMs(view.endMs - view.startMs);
  // Text in the page's colours (light or dark scheme: styles.css); the fallbacks are the dark scheme's.
  const css = typeof HTMLCanvasElement !== 'undefined' && ctx.canvas instanceof HTMLCanvasElement ? getComputedStyle(ctx.canvas) : null;
  const textColour = css?.getPropertyValue('--text').trim() || '#c9d1d9';
  const mutedColour = css?.getPropertyValue('--muted').trim() || '#8b93a1';
  ctx.fillStyle = mutedColour;
  ctx.strokeStyle = 'rgba(139,147,161,0.2)';
  for (let t = Math.ceil((view.startMs - originMs) / stepMs) * stepMs; t + originMs <= view.endMs; t += stepMs) {
    const x = xOf(view, t + originMs);
    ctx.fillText(`${Number(t.toPrecision(6))} ms`, x + 2, LAYOUT.axisPx / 2);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, LAYOUT.axisPx);
    ctx.lineTo(x + 0.5, heightPx);
    ctx.stroke();
  }
  let drawn = 0;
  const msPerPixel = (view.endMs - view.startMs) / Math.max(1, view.widthPx - LAYOUT.gutterPx);
  lanes.forEach((lane, i) => {
    // The coarsest level whose merged gaps are still under a pixel looks the same and costs less.
    const level = [...lane.levels].reverse().find((l) => l.gapMs < msPerPixel) ?? lane;
    const top = LAYOUT.axisPx + i * LAYOUT.lanePx;
    ctx.fillStyle = textColour;
    ctx.fillText(fit(ctx, lane.label, LAYOUT.gutterPx - 10), 6, top + LAYOUT.lanePx / 2 - 7);
    ctx.fillStyle = mutedColour;
    ctx.fillText(fit(ctx, lane.detail, LAYOUT.gutterPx - 10), 6, top + LAYOUT.lanePx / 2 + 8);
    drawn += drawRow(ctx, view, level.compute, level.longestMs[0], top + LAYOUT.rowGapPx, false);
    drawn += drawRow(ctx, view, level.comm, level.longestMs[1], top + LAYOUT.rowGapPx * 2 + LAYOUT.rowPx, true);
  });
  return drawn;
}

/** The span under a canvas point, or null. */
export function spanAt(lanes: Lane[], view: Viewport, x: number, y: number): RankSpan | null {
  const laneIndex = Math.floor((y - LAYOUT.axisPx) / LAYOUT.lanePx);
  const lane = lanes[laneIndex];
  if (!lane || x < LAYOUT.gutterPx) return null;
  const inLane = y - LAYOUT.axisPx - laneIndex * LAYOUT.lanePx;
  const isComm = inLane >= LAYOUT.rowGapPx * 2 + LAYOUT.rowPx;
  const list = isComm ? lane.comm : lane.compute;
  const ms = timeAt(view, x);
  const slackMs = (2 / (view.widthPx - LAYOUT.gutterPx)) * (view.endMs - view.startMs);
  let best: RankSpan | null = null;
  for (let i = firstVisible(list, ms - slackMs, lane.longestMs[isComm ? 1 : 0]); i < list.length && list[i].startMs <= ms + slackMs; i += 1) {
    const s = list[i];
    if (ms >= s.startMs - slackMs && ms <= s.startMs + s.durationMs + slackMs) best = s;
  }
  return best;
}
