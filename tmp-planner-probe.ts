import { contextOf } from './src-shared/planner/index.js';
import { evaluateStrategy } from './src-shared/planner/evaluate.js';
import { enumerateStrategies as en } from './src-shared/planner/search.js';
const ctx = contextOf({ model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus: 4096, gpusPerNode: 8 } });
for (let i = 0; i < 5; i++) {
let t0 = performance.now();
const s = en(ctx, {}, false);
let t1 = performance.now();
const r = s.map((x) => evaluateStrategy(ctx, x));
let t2 = performance.now();
console.log(s.length, (t1 - t0).toFixed(1), (t2 - t1).toFixed(1));
}
