/** Byte-level data: a text file as bytes, and a seeded batch order identical on every rank. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../src-shared/errors.js';
import { hashString, mulberry32 } from './prng.js';

/** Locates the shipped corpus next to the bundle (dist/) or the sources (src-worker/engine/). */
export function defaultCorpusPath(): string {
  const candidates = [join(__dirname, '..', 'resources', 'corpus', 'licenses.txt'), join(__dirname, '..', '..', 'resources', 'corpus', 'licenses.txt')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ShardScopeError('not-found', `shipped corpus not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads a text file as byte tokens; too short a file is `bad-input`. */
export function loadCorpus(path: string, seqLen: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new ShardScopeError('bad-input', `cannot read training data ${path}`);
  }
  if (bytes.length < seqLen + 2) throw new ShardScopeError('bad-input', `training data ${path} has ${bytes.length} bytes; needs at least seqLen + 2 = ${seqLen + 2}`);
  return bytes;
}

/** A global batch: tokens and next-byte targets, row-major [batch, seqLen]. */
export interface GlobalBatch {
  tokens: Int32Array;
  targets: Int32Array;
}

/** The global batch of a step: `batch` windows at seeded random offsets (bytes folded into the vocabulary). */
export function globalBatch(corpus: Uint8Array, step: number, batch: number, seqLen: number, vocab: number, seed: number): GlobalBatch {
  const random = mulberry32(hashString(`${seed}:batch:${step}`));
  const tokens = new Int32Array(batch * seqLen);
  const targets = new Int32Array(batch * seqLen);
  for (let row = 0; row < batch; row += 1) {
    const start = Math.floor(random() * (corpus.length - seqLen - 1));
    for (let t = 0; t < seqLen; t += 1) {
      tokens[row * seqLen + t] = corpus[start + t] % vocab;
      targets[row * seqLen + t] = corpus[start + t + 1] % vocab;
    }
  }
  return { tokens, targets };
}

/** Rows [firstRow, firstRow + rows) of a global batch. */
export function sliceRows(batch: GlobalBatch, firstRow: number, rows: number, seqLen: number): GlobalBatch {
  const a = firstRow * seqLen;
  const b = (firstRow + rows) * seqLen;
  return { tokens: batch.tokens.slice(a, b), targets: batch.targets.slice(a, b) };
}
