/** Piecewise-linear reading of measured points (calibration figures at the sizes they were measured at). */

/**
 * y at x from points [x, y] (any order): linear between the two neighbours, linear extrapolation
 * from the two nearest outside the range (never below zero); one point scales proportionally. Null without points.
 */
export function interpolate(points: ReadonlyArray<readonly [number, number]>, x: number): number | null {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return null;
  if (sorted.length === 1) return sorted[0][0] === 0 ? sorted[0][1] : (sorted[0][1] * x) / sorted[0][0];
  let i = sorted.findIndex((p) => p[0] >= x);
  if (i === -1) i = sorted.length - 1;
  if (i === 0) i = 1;
  const [x0, y0] = sorted[i - 1];
  const [x1, y1] = sorted[i];
  if (x1 === x0) return y1;
  return Math.max(0, y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
}

/**
 * y at x from the least-squares line through the points (a + b x), for figures that are affine in x
 * but measured with noise (a segment's time against its micro-batch rows on a shared host); fewer
 * than three distinct x fall back to interpolate(). Never below zero.
 */
export function affineFit(points: ReadonlyArray<readonly [number, number]>, x: number): number | null {
  if (new Set(points.map((p) => p[0])).size < 3) return interpolate(points, x);
  const n = points.length;
  const meanX = points.reduce((a, p) => a + p[0], 0) / n;
  const meanY = points.reduce((a, p) => a + p[1], 0) / n;
  const sxx = points.reduce((a, p) => a + (p[0] - meanX) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p[0] - meanX) * (p[1] - meanY), 0);
  const slope = sxy / sxx;
  return Math.max(0, meanY + slope * (x - meanX));
}

/** The least-squares line through the points, as a function. */
function lineThrough(points: ReadonlyArray<readonly [number, number]>): (x: number) => number {
  const n = points.length;
  const meanX = points.reduce((a, p) => a + p[0], 0) / n;
  const meanY = points.reduce((a, p) => a + p[1], 0) / n;
  const sxx = points.reduce((a, p) => a + (p[0] - meanX) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((a, p) => a + (p[0] - meanX) * (p[1] - meanY), 0) / sxx : 0;
  return (x) => meanY + slope * (x - meanX);
}

/**
 * affineFit that leaves out one point a burst of load spoiled: with four or more sizes, the point whose
 * removal leaves the straightest line (relative residuals) is dropped when it lies more than
 * `tolerance` off that line. Returns the value and the dropped point (null when none was).
 */
export function robustAffineFit(points: ReadonlyArray<readonly [number, number]>, x: number, tolerance = 0.5): { value: number | null; dropped: readonly [number, number] | null } {
  if (new Set(points.map((p) => p[0])).size < 4) return { value: affineFit(points, x), dropped: null };
  let best: { i: number; rss: number; line: (x: number) => number } | null = null;
  for (let i = 0; i < points.length; i += 1) {
    const rest = points.filter((_, j) => j !== i);
    const line = lineThrough(rest);
    const rss = rest.reduce((a, p) => a + (p[1] > 0 ? ((p[1] - line(p[0])) / p[1]) ** 2 : 0), 0);
    if (best === null || rss < best.rss) best = { i, rss, line };
  }
  const chosen = best as { i: number; rss: number; line: (x: number) => number };
  const point = points[chosen.i];
  const expected = chosen.line(point[0]);
  if (expected > 0 && Math.abs(point[1] - expected) / expected > tolerance) return { value: Math.max(0, chosen.line(x)), dropped: point };
  return { value: affineFit(points, x), dropped: null };
}
