/**
 * The pipeline schedule a rank of the built-in engine really runs (GPipe or 1F1B, as
 * src-worker/engine/schedules), played out in time: an op starts when its stage is free and its
 * input has arrived from the neighbouring stage; waiting is bubble (the engine counts a receive's
 * wait as bubble too).
 */

/** One op of a stage: forward or backward of a micro-batch. */
export interface ScheduleOp {
  kind: 'forward' | 'backward';
  microBatch: number;
}

/** The op order of one stage (the same orders as src-worker/engine/schedules/*.ts). */
export function stageOps(schedule: 'gpipe' | '1f1b', microBatches: number, stages: number, stage: number): ScheduleOp[] {
  const ops: ScheduleOp[] = [];
  if (schedule === 'gpipe') {
    for (let mb = 0; mb < microBatches; mb += 1) ops.push({ kind: 'forward', microBatch: mb });
    for (let mb = 0; mb < microBatches; mb += 1) ops.push({ kind: 'backward', microBatch: mb });
    return ops;
  }
  const warmup = Math.min(stages - stage - 1, microBatches);
  for (let mb = 0; mb < warmup; mb += 1) ops.push({ kind: 'forward', microBatch: mb });
  for (let i = 0; i < microBatches - warmup; i += 1) ops.push({ kind: 'forward', microBatch: warmup + i }, { kind: 'backward', microBatch: i });
  for (let mb = microBatches - warmup; mb < microBatches; mb += 1) ops.push({ kind: 'backward', microBatch: mb });
  return ops;
}

/** Seconds of one op on a stage, split as the engine's clock splits them, and the hand-over to the neighbour. */
export interface OpCost {
  computeSeconds: number;
  communicationSeconds: number;
  /** Time from the end of the op until its output is usable by the neighbouring stage. */
  handOverSeconds: number;
}

/** Per stage: when its last op ended and how its time split. */
export interface StageTimeline {
  endSeconds: number;
  computeSeconds: number;
  communicationSeconds: number;
  bubbleSeconds: number;
  /** Most micro-batches whose activations the stage held at once (forwards done, backwards not yet). */
  maxInFlight: number;
}

/** Plays the schedule of every stage from time 0; `cost(stage, op)` prices each op. */
export function playSchedule(schedule: 'gpipe' | '1f1b', microBatches: number, stages: number, cost: (stage: number, op: ScheduleOp) => OpCost): StageTimeline[] {
  const lists = Array.from({ length: stages }, (_, s) => stageOps(schedule, microBatches, stages, s));
  const next = new Array<number>(stages).fill(0);
  const free = new Array<number>(stages).fill(0);
  const ready = new Map<string, number>(); // "f:s:mb" / "b:s:mb" -> when its output reaches the neighbour
  const timelines: StageTimeline[] = Array.from({ length: stages }, () => ({ endSeconds: 0, computeSeconds: 0, communicationSeconds: 0, bubbleSeconds: 0, maxInFlight: 0 }));
  const inFlight = new Array<number>(stages).fill(0);
  let remaining = lists.reduce((sum, l) => sum + l.length, 0);
  while (remaining > 0) {
    let progressed = false;
    for (let s = 0; s < stages; s += 1) {
      const op = lists[s][next[s]];
      if (!op) continue;
      const dependency = op.kind === 'forward' ? (s === 0 ? 0 : ready.get(`f:${s - 1}:${op.microBatch}`)) : (s === stages - 1 ? 0 : ready.get(`b:${s + 1}:${op.microBatch}`));
      if (dependency === undefined) continue;
      const start = Math.max(free[s], dependency);
      const c = cost(s, op);
      const t = timelines[s];
      t.bubbleSeconds += start - free[s];
      t.computeSeconds += c.computeSeconds;
      t.communicationSeconds += c.communicationSeconds;
      free[s] = start + c.computeSeconds + c.communicationSeconds;
      ready.set(`${op.kind === 'forward' ? 'f' : 'b'}:${s}:${op.microBatch}`, free[s] + c.handOverSeconds);
      inFlight[s] += op.kind === 'forward' ? 1 : -1;
      t.maxInFlight = Math.max(t.maxInFlight, inFlight[s]);
      t.endSeconds = free[s];
      next[s] += 1;
      remaining -= 1;
      progressed = true;
    }
    if (!progressed) throw new Error('pipeline schedule deadlocks (a bug in the schedule orders)');
  }
  return timelines;
}
