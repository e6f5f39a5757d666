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
