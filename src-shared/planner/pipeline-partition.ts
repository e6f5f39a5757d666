/**
 * Transformer layers per pipeline stage: explicit, or balanced so that the slowest stage is as fast as
 * it can be, with the input embedding and the LM head counted as layer equivalents on the first and
 * last stages (as Megatron-DeepSpeed's `type:transformer|embedding` partition and Llama 3's shorter end stages do).
 */

/**
 * Balanced split of `layers` over `pp` stages where the first stage also carries `firstExtra` layer
 * equivalents and the last `lastExtra`; minimises the largest stage cost, then evens out the rest.
 */
export function balancedLayersPerStage(layers: number, pp: number, firstExtra: number, lastExtra: number): number[] {
  if (pp === 1) return [layers];
  const key = `${layers}/${pp}/${firstExtra}/${lastExtra}`;
  const known = splits.get(key);
  if (known) return [...known];
  const split = balance(layers, pp, firstExtra, lastExtra);
  if (splits.size > 10_000) splits.clear();
  splits.set(key, split);
  return [...split];
}

/** Splits already computed (a search asks for the same few thousands of times). */
const splits = new Map<string, number[]>();

function balance(layers: number, pp: number, firstExtra: number, lastExtra: number): number[] {
  const extras = Array.from({ length: pp }, (_, i) => (i === 0 ? firstExtra : 0) + (i === pp - 1 ? lastExtra : 0));
  const capacity = (target: number) => extras.map((e) => Math.max(0, Math.floor(target - e + 1e-9)));
  // The best largest stage cost is at least the average; try costs n + extra upwards from just below it.
  const distinctExtras = [...new Set(extras)];
  const average = (layers + firstExtra + lastExtra) / pp;
  const candidates = new Set<number>();
  for (let n = Math.max(0, Math.floor(average) - 2); n <= layers; n += 1) {
    for (const e of distinctExtras) candidates.add(n + e);
    if (n > average + 2) break;
  }
  candidates.add(layers + Math.max(...distinctExtras));
  const targets = [...candidates].sort((a, b) => a - b);
  let caps = capacity(targets[targets.length - 1]);
  for (const target of targets) {
    const c = capacity(target);
    if (c.reduce((a, b) => a + b, 0) >= layers) { caps = c; break; }
  }
  // Remove the surplus from the costliest stages (middle stages first on ties), one layer at a time.
  let surplus = caps.reduce((a, b) => a + b, 0) - layers;
  while (surplus > 0) {
    let worst = -1;
    for (let i = 0; i < pp; i += 1) {
      if (caps[i] === 0) continue;
      const cost = caps[i] + extras[i];
      const best = worst < 0 ? -Infinity : caps[worst] + extras[worst];
      if (cost > best + 1e-9 || (Math.abs(cost - best) <= 1e-9 && extras[i] === 0)) worst = i;
    }
    caps[worst] -= 1;
    surplus -= 1;
  }
  return caps;
}

/** Checks explicit layers per stage against pp and the layer count; the reason, or null when valid. */
export function layersPerStageProblem(layersPerStage: number[], pp: number, layers: number): string | null {
  if (layersPerStage.length !== pp) return `--layers-per-stage lists ${layersPerStage.length} stages but pp=${pp}`;
  const sum = layersPerStage.reduce((a, b) => a + b, 0);
  if (sum !== layers) return `--layers-per-stage sums to ${sum} layers but the model has ${layers}`;
  return null;
}
