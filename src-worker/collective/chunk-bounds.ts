/** How reduceScatter/allGather split n elements over p members. */

/** Default segment size (frames of 1 MiB of 4-byte elements) when the caller sets none. */
export const DEFAULT_SEGMENT_ELEMENTS = (1 << 20) / 4;

export { chunkBounds } from '../../src-shared/chunk-bounds.js';

/** Splits [start, end) into consecutive segments of at most maxLength elements (at least one segment, maybe empty). */
export function segmentBounds(start: number, end: number, maxLength: number): Array<[number, number]> {
  const segments: Array<[number, number]> = [];
  for (let s = start; s < end; s += maxLength) segments.push([s, Math.min(end, s + maxLength)]);
  if (segments.length === 0) segments.push([start, start]);
  return segments;
}
