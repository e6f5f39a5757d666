// Cost of parseNvidiaSmiXml (validation + extraction + zod) against its peer, a bare fast-xml-parser
// parse of the same documents, measured in the same run: `node --import tsx bench/smi-parse.ts`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseNvidiaSmiXml } from '../src-main/core/inventory/smi-xml-parse.js';

const dir = new URL('../../shared/fixtures/nvidia-smi/xml/', import.meta.url).pathname;
const documents = readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => readFileSync(join(dir, f), 'utf8'));
const peer = new XMLParser({ ignoreAttributes: false });

function timeMs(fn: () => void, rounds: number): number {
  for (let i = 0; i < 3; i += 1) fn();
  const start = performance.now();
  for (let i = 0; i < rounds; i += 1) fn();
  return (performance.now() - start) / rounds;
}

const rounds = 20;
const oursMs = timeMs(() => documents.forEach((d) => parseNvidiaSmiXml(d)), rounds);
const peerMs = timeMs(() => documents.forEach((d) => peer.parse(d)), rounds);
console.log(JSON.stringify({ documents: documents.length, oursMsPerAllDocuments: +oursMs.toFixed(2), peerMsPerAllDocuments: +peerMs.toFixed(2), ratio: +(oursMs / peerMs).toFixed(2) }));
