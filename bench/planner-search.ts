// Times the planner's full search for gpt3-175b on 4096 a100-80gb (8 per node); target < 1 s.
// Peer measured in the same run: planning one strategy (so the ratio says how many single plans a search costs).
// Run: node --import tsx bench/planner-search.ts [--runs N] [--json]
import { planStrategy, searchStrategies } from '../src-shared/planner/index.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 7;
const request = { model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus: 4096, gpusPerNode: 8 } } as const;

function timeMs(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let last!: ReturnType<typeof searchStrategies>;
const firstRunMs = timeMs(() => { last = searchStrategies(request); }); // includes JIT warm-up
const searchMs: number[] = [];
for (let i = 0; i < runs; i += 1) searchMs.push(timeMs(() => { last = searchStrategies(request); }));
const single = { ...request, strategy: last.best!.strategy };
const planMs: number[] = [];
for (let i = 0; i < runs; i += 1) planMs.push(timeMs(() => { for (let k = 0; k < 100; k += 1) planStrategy(single); }) / 100);

const s = last.best!.strategy;
const report = {
  bench: 'planner-search gpt3-175b 4096 x a100-80gb',
  runs,
  firstRunMs,
  searchMedianMs: median(searchMs),
  searchMaxMs: Math.max(...searchMs),
  singlePlanMedianMs: median(planMs),
  ratioSearchToSinglePlan: median(searchMs) / median(planMs),
  evaluated: last.evaluatedCount,
  fitting: last.fittingCount,
  best: `dp=${s.dp} tp=${s.tp} pp=${s.pp} v=${s.virtualStages} b=${s.microBatch} zero=${s.zeroStage} recompute=${s.recompute}${s.sequenceParallel ? ' sp' : ''}`,
  bestTflopsPerGpu: last.best!.tflopsPerGpu,
  meetsTarget: Math.max(firstRunMs, ...searchMs) < 1000,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else console.log(Object.entries(report).map(([k, v]) => `${k}: ${typeof v === 'number' ? Number(v.toFixed(3)) : v}`).join('\n'));
process.exitCode = report.meetsTarget ? 0 : 1;
