/** The CLI's predicted-vs-measured lines of a finished run: the report's checks (one convention everywhere), read back from the store. */
import { formatErrorFraction } from '../../src-shared/measured-vs-predicted.js';
import { formatBytes, formatDuration, formatSignificant } from '../../src-shared/units.js';
import { buildReport } from '../core/report/build-report.js';
import { RunStore } from '../core/store/run-store.js';
import { printLine, type CliIo } from './io.js';
import { packageVersion } from './runtime-paths.js';

const shown = /^(stepTimeSeconds|peakMemoryPerGpuBytes|peakMemoryBytes\.rank\d+|commBytesPerStepPerGpu\.(dp|tp|pp)|joulesPerToken)$/;

function value(unit: string, v: number | null): string {
  if (v === null) return '-';
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 's') return formatDuration(v);
  return `${formatSignificant(v)} ${unit}`;
}

/** Prints the run's prediction basis and its checks (step time, each rank's VmHWM, bytes by parallelism, J/token) and the energy prediction's basis or gaps. */
export function printPredictionLines(storePath: string, runId: string, io: CliIo): void {
  const store = RunStore.open(storePath, { readonly: true });
  let run;
  try {
    run = buildReport(store, [runId], { version: packageVersion() }).runs[0];
  } finally {
    store.close();
  }
  const note = (run.prediction as { note?: unknown } | null)?.note;
  printLine(io, `prediction: ${typeof note === 'string' ? note : run.prediction ? 'planner estimate' : 'none kept'}; error = (measured - predicted) / predicted; memory measured as ${run.measured.peakMemorySource}`);
  const energy = (run.prediction as { energy?: { basis: string | null; gaps: string[] } } | null)?.energy;
  if (energy) printLine(io, `energy: ${energy.basis ?? 'not predicted'}${energy.gaps.length ? ` (${energy.gaps.join('; ')})` : ''}`);
  for (const c of run.predictionChecks.filter((x) => shown.test(x.metric) && (x.predicted || x.measured))) {
    printLine(io, `  ${c.metric.padEnd(28)} predicted ${value(c.unit, c.predicted).padStart(12)}  measured ${value(c.unit, c.measured).padStart(12)}  error ${formatErrorFraction(c.errorFraction)}`);
  }
}
