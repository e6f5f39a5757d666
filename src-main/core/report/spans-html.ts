/** The report's per-rank span summary (exposed communication, bubble, waits, idle), the measured pipeline bubble against its ideal, and torch.profiler's top operators. */
import type { RunReport } from '../../../src-shared/report-schema.js';
import { formatPercent } from '../../../src-shared/units.js';
import { esc, fmtNumber, fmtPercent, table } from './html-parts.js';

const NOTE = 'Compute excludes the collectives it calls; exposed communication is collective time after the first byte arrived '
  + '(the built-in engine\'s collectives block, so none is hidden); bubble is waiting for a neighbouring pipeline stage; wait is waiting '
  + 'for other ranks in DP/TP collectives; idle is step time under no span. Clock offsets are each rank\'s alignment to rank 0 at rendezvous.';

/** HTML of the spans section of one run. */
export function spansHtml(run: RunReport): string {
  const summary = run.spans?.summary;
  if (!run.spans || !summary) return '<p class="note">This run recorded no spans (a torch run without <code>--profile-steps</code>, an older run, or <code>--trace-steps none</code>).</p>';
  const rows = summary.perRank.map((r) => {
    const placed = run.ranks.find((x) => x.rank === r.rank);
    const clock = run.spans?.clocks.find((c) => c.rank === r.rank);
    return [
      r.rank, placed ? `${placed.host} ${placed.device}` : '–', fmtNumber(r.totalMs), fmtNumber(r.computeMs), fmtNumber(r.exposedCommunicationMs),
      fmtNumber(r.bubbleMs), fmtNumber(r.waitMs), fmtNumber(r.idleMs), `${r.slowestInSteps} / ${summary.tracedSteps}`,
      clock ? `${fmtNumber(clock.offsetMs)} ± ${fmtNumber(clock.errorMs)}` : '–',
    ];
  });
  const parts = [
    `<p class="note">Measured from the spans of ${summary.tracedSteps} traced step(s), mean ms per step. ${NOTE}</p>`,
    table(['rank', 'host / device', 'step', 'compute', 'exposed comm', 'bubble', 'wait', 'idle', 'slowest rank in', 'clock offset (ms)'], rows, 'spans'),
  ];
  if (summary.bubbleFractionIdeal !== null) {
    parts.push(table(['figure', 'predicted (p-1)/(m+p-1)', 'measured from spans', 'error'], [[
      'pipeline bubble fraction', formatPercent(summary.bubbleFractionIdeal), formatPercent(summary.bubbleFractionMeasured), fmtPercent(summary.bubbleFractionError),
    ]], 'bubble'));
    parts.push(`<p class="note">Bubble predicted with p = ${esc(run.strategy.pp)} stages and m = ${esc(run.strategy.microBatches)} micro-batches; measured as pp waits over each step's forward/backward window, mean over ranks and steps.</p>`);
  }
  const ops = run.spans.operators;
  if (ops.length > 0) {
    const ranks = [...new Set(ops.map((o) => o.rank))];
    parts.push('<h4>Top operators by self time (torch.profiler, profiled steps summed)</h4>');
    parts.push(table(['rank', 'operator', 'calls', 'self ms', 'total ms'],
      ranks.flatMap((rank) => ops.filter((o) => o.rank === rank).slice(0, 8).map((o) => [rank, o.name, o.calls, fmtNumber(o.selfMs), fmtNumber(o.totalMs)])), 'operators'));
  }
  return parts.join('\n');
}
