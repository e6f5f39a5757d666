/** How n items (elements, layers) split over p members: member i holds [floor(i*n/p), floor((i+1)*n/p)). */

/** Chunk i of n elements over p members: [floor(i*n/p), floor((i+1)*n/p)). */
export function chunkBounds(n: number, p: number, i: number): [number, number] {
  return [Math.floor((i * n) / p), Math.floor(((i + 1) * n) / p)];
}
