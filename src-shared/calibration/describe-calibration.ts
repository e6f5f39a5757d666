/** One calibration as lines a researcher reads: what was measured, when (its age), with what, and what is missing or stale. */
import { formatBytes, formatDuration } from '../units.js';
import { calibrationAge, calibrationStaleAfterMs, type HostCalibration } from './calibration-record.js';

function gb(value: number): string {
  return `${(value / 1e9).toFixed(2)}`;
}

/** The summary lines of `shardscope calibrate`. */
export function describeCalibration(c: HostCalibration, nowMs: number): string[] {
  const age = calibrationAge(c.measuredAtMs, nowMs);
  const origin = c.origin.kind === 'run' ? `refined from run ${c.origin.runId} (previous calibration #${c.origin.previousId ?? '-'} kept)` : 'shardscope calibrate';
  const lines = [`host ${c.hostId}: calibration #${c.id ?? '-'} measured ${new Date(c.measuredAtMs).toISOString()} (${age}) by ${origin}`];
  if (nowMs - c.measuredAtMs > calibrationStaleAfterMs) lines.push(`  STALE: older than ${calibrationStaleAfterMs / 86400000} days; run shardscope calibrate again`);
  lines.push(`  software: ${Object.entries(c.software).map(([k, v]) => `${k} ${v}`).join(', ')}; cpu: ${c.cpu.model} (${c.cpu.cores} cores)`);
  for (const e of c.engines) {
    const best = Math.max(...e.matmul.map((m) => m.flopsPerSecond));
    const worst = Math.min(...e.matmul.map((m) => m.flopsPerSecond));
    lines.push(`  engine ${e.engine} on ${e.backend} (${e.device}), model ${e.model.name}:`);
    lines.push(`    matrix products at the model's GEMM shapes: ${gb(worst)}-${gb(best)} GFLOP/s fp32 (measured)`);
    const fused = e.segments.filter((s) => s.segment === 'fused').map((s) => `${s.batch}: ${(s.seconds * 1e3).toFixed(1)} ms`);
    if (fused.length) lines.push(`    whole-model forward+backward per micro-batch size: ${fused.join(', ')}`);
    lines.push(`    Adam ${(e.adamSecondsPerElement * 1e9).toFixed(2)} ns/element; memory bandwidth ${gb(e.memoryBandwidthBytesPerSecond)} GB/s; runtime baseline ${formatBytes(e.runtimeBaselineBytes)} VmHWM`);
    lines.push(`    contention: ${e.concurrency.map((x) => `${x.processes} rank${x.processes > 1 ? 's' : ''} x${x.slowdown.toFixed(2)}`).join(', ')}`);
  }
  const ops = [...new Set(c.collectives.map((x) => `${x.op}/${x.groupSize}/${x.scope}`))];
  for (const key of ops) {
    const [op, size, scope] = key.split('/');
    const points = c.collectives.filter((x) => x.op === op && String(x.groupSize) === size && x.scope === scope);
    const peers = scope === 'cross-host' && c.crossHostPeers?.length ? ` with ${c.crossHostPeers.join(', ')}` : '';
    lines.push(`  ${op}, ${size} ranks (${scope}${peers}): ${points.map((p) => `${formatBytes(p.bytes)} ${formatDuration(p.seconds)}`).join(', ')}`);
  }
  if (c.lockstep) lines.push(`  lockstep: ${c.lockstep.groupSize} ranks syncing every ${(c.lockstep.segmentSeconds * 1e3).toFixed(0)} ms of compute wait ${(c.lockstep.waitFraction * 100).toFixed(1)}% of it for each other (measured)`);
  if (c.tpLockstep) {
    const t = c.tpLockstep;
    lines.push(`  TP ${t.tp} in lockstep (one layer, micro-batch ${t.batch}): forward x${t.forwardSlowdown.toFixed(2)}, backward x${t.backwardSlowdown.toFixed(2)} of the layer alone; each TP all-reduce ${formatDuration(t.syncSeconds)} of which ${formatDuration(t.waitPerSyncSeconds)} waiting for the other rank (measured)`);
  }
  if (c.collectiveMemory?.length) lines.push(`  collective buffers: ${c.collectiveMemory.map((m) => `${m.op} ${(m.growthBytes / m.bytes).toFixed(2)}x its payload`).join(', ')} (peak resident growth, measured at ${formatBytes(c.collectiveMemory[0].bytes)})`);
  if (c.torch) {
    const t = c.torch;
    const rates = t.matmul.map((m) => m.flopsPerSecond);
    const big = t.glooAllReduce[t.glooAllReduce.length - 1];
    lines.push(`  engine torch ${t.torchVersion} (python ${t.pythonVersion}, ${t.python}) on ${t.device}, ${t.threads} thread(s), model ${t.model}: matmul ${gb(Math.min(...rates))}-${gb(Math.max(...rates))} GFLOP/s fp32 (measured); Gloo all-reduce, 2 ranks: ${t.glooAllReduce.map((p) => `${formatBytes(p.bytes)} ${formatDuration(p.seconds)}`).join(', ')}${big ? ` (bus ${gb(big.bytes / big.seconds)} GB/s at ${formatBytes(big.bytes)})` : ''}`);
    if (t.step) {
      const byThreads = [...new Set(t.step.forwardBackward.map((p) => p.threads))].map((n) => `${n} thread(s): ${t.step?.forwardBackward.filter((p) => p.threads === n).map((p) => `micro-batch ${p.batch} ${formatDuration(p.seconds)}`).join(', ')}`);
      lines.push(`  torch step of train_gpt.py (forward + backward, mean): ${byThreads.join('; ')}; Adam ${t.step.optimizer.map((o) => `${formatDuration(o.seconds)} at ${o.threads} thread(s)`).join(', ')}${t.step.contention ? `; 2 ranks at once x${t.step.contention.slowdown.toFixed(2)}` : ''} (measured)`);
    }
  }
  if (c.power) lines.push(`  power: idle ${c.power.idleWatts.toFixed(1)} W, loaded ${c.power.loadedWatts.toFixed(1)} W (${c.power.source})`);
  for (const m of c.missing) lines.push(`  missing: ${m}`);
  return lines;
}
