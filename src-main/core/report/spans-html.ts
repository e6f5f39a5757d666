/** The report's per-rank span summary (exposed communication, bubble, waits, idle) and the measured pipeline bubble against its ideal. */
import type { RunReport } from '../../../src-shared/report-schema.js';
import { esc, fmtNumber, fmtPercent, table } from './html-parts.js';

/** HTML of the spans section of one run. */
export function spansHtml(run: RunReport): string {
  const summary = run.spans?.summary;
  if (!summary) return '<p class="note">This run recorded no spans (a run of another engine, older, or with <code>--trace-steps none</code>).</p>';
  const rows = summary.perRank.map((r) => {
    const placed = run.ranks.find((x) => x.rank === r.rank);
    const clock = run.spans?.clocks.find((c) => c.rank === r.rank);
    return [
      r.rank, placed ? `${placed.host} ${placed.device}` : '–', fmtNumber(r.totalMs), fmtNumber(r.computeMs), fmtNumber(r.exposedCommunicationMs),
      fmtNumber(r.bubbleMs), fmtNumber(r.waitMs), fmtNumber(r.idleMs), `${r.slowestInSteps} / ${summary.tracedSteps}`,
      clock ? `${fmtNumber(clock.offsetMs)} ± ${fmtNumber(clock.errorMs)}` : '–',
    ];
  });
  const bubble = summary.bubbleFractionIdeal === null ? '' : table(['figure', 'predicted (p-1)/(m+p-1)', 'measured from spans', 'error'], [[
    'pipeline bubble fraction', fmtPercent(summary.bubbleFractionIdeal), fmtPercent(summary.bubbleFractionMeasured), fmtPercent(summary.bubbleFractionError),
  ]], 'bubble');
  return `<p class="note">Measured from the engine's spans over ${summary.tracedSteps} traced step(s), mean ms per step. Compute excludes the collectives it calls; exposed communication is collective time after the first byte arrived (the built-in engine's collectives block, so none is hidden); bubble is waiting for a neighbouring pipeline stage; wait is waiting for other ranks in DP/TP collectives; idle is step time under no span. Clock offsets are each rank's alignment to rank 0 at rendezvous.</p>
${table(['rank', 'host / device', 'step', 'compute', 'exposed comm', 'bubble', 'wait', 'idle', 'slowest rank in', 'clock offset (ms)'], rows, 'spans')}
${bubble}`.replace(/\n$/, '') + (summary.bubbleFractionIdeal === null ? '' : `\n<p class="note">Bubble predicted with p = ${esc(run.strategy.pp)} stages and m = ${esc(run.strategy.microBatches)} micro-batches; measured as pp waits over each step's forward/backward window, mean over ranks and steps.</p>`);
}
