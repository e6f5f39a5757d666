/** Events a training worker writes on stdout, one JSON object per line, and a sans-IO parser for them. */
import type { ErrorKind } from './errors.js';
import type { ClockAlignment, EngineSpan, OperatorTotal } from './trace-spans.js';

/** Bytes this rank sent and received in one collective kind during a step. */
export interface ByteCounts {
  sent: number;
  received: number;
}

/** The axes of the parallel grid whose traffic is counted apart. */
export type ParallelismKind = 'dp' | 'tp' | 'pp';

/** Bytes this rank sent and received in one step, by parallelism kind (the process group they went through). */
export type ParallelismBytes = Record<ParallelismKind, ByteCounts>;

/** First event of a rank: what it runs on and what it holds. */
export interface RunStartEvent {
  type: 'run-start';
  rank: number;
  worldSize: number;
  backend: string;
  device: string;
  /** Parameter elements held by this rank (its shard). */
  paramsOnRank: number;
  /** Adam state elements held by this rank (m + v; 1/dp of them under ZeRO-1). */
  optimizerStateOnRank: number;
  coords: { dpIndex: number; tpIndex: number; ppIndex: number };
  pid: number;
  /** This rank's clock against rank 0's, estimated at rendezvous; span times already include the offset. Absent from older workers. */
  clock?: ClockAlignment;
  timestampMs: number;
}

/** The spans of one traced step on one rank, at their real times on the run clock (see trace-spans.ts). */
export interface SpansEvent {
  type: 'spans';
  rank: number;
  step: number;
  /** When the step began and ended on this rank, on the run clock. */
  stepStartMs: number;
  stepEndMs: number;
  spans: EngineSpan[];
  /** Top operators of the step by self time (torch.profiler runs). */
  operators?: OperatorTotal[];
  timestampMs: number;
}

/** One finished training step on one rank. */
export interface StepEvent {
  type: 'step';
  rank: number;
  step: number;
  /** Mean loss over the global batch; only the reporting rank (last stage, dp 0, tp 0) sets it. */
  loss: number | null;
  /** Tokens in the global batch of this step. */
  tokens: number;
  stepTimeSeconds: { compute: number; communication: number; bubble: number; total: number };
  /** Keyed by collective kind (allReduce, reduceScatter, allGather, send, recv, ...). */
  bytes: Record<string, ByteCounts>;
  /** Payload bytes by the group they went through: DP (gradient sync, loss), TP (activation/gradient all-reduces), PP (stage sends). Absent from older workers. */
  bytesByParallelism?: ParallelismBytes;
  /** The stepTimeSeconds.communication split by kind (PP: sends only; waits for a neighbouring stage are bubble). Absent from older workers. */
  communicationSecondsByParallelism?: Record<ParallelismKind, number>;
  /** tf.memory().numBytes after the step (parameters and caches). */
  frameworkMemoryBytes: number;
  /** Largest tf.memory().numBytes seen between pipeline ops of the step (held activations). */
  frameworkMemoryPeakBytes: number;
  /** Resident memory of the rank's process (tensors, optimizer state, runtime): what a device would hold. */
  processMemoryBytes?: number;
  /** Peak resident memory of the rank's process so far (Linux VmHWM, /proc/self/status): the measured side of per-rank memory. Absent where /proc is not readable and from older workers. */
  processMemoryPeakBytes?: number;
  timestampMs: number;
}

/** The rank finished every step. */
export interface RunEndEvent {
  type: 'run-end';
  rank: number;
  steps: number;
  timestampMs: number;
}

/** The rank failed. */
export interface ErrorEvent {
  type: 'error';
  rank: number;
  kind: ErrorKind;
  message: string;
  timestampMs: number;
}

/** The rank is alive (sent every RANK_HEARTBEAT_INTERVAL_MS; the controller consumes it, nothing stores it). */
export interface HeartbeatEvent {
  type: 'heartbeat';
  rank: number;
  timestampMs: number;
}

/** How often a rank says it is alive, and how long the controller waits before it calls a silent rank stopped. */
export const RANK_HEARTBEAT_INTERVAL_MS = 1000;
export const RANK_HEARTBEAT_TIMEOUT_MS = 6000;

/** Any event a worker emits. */
export type EngineEvent = RunStartEvent | StepEvent | SpansEvent | RunEndEvent | ErrorEvent;
/** An event or a heartbeat, as read from a worker's stdout. */
export type WorkerOutput = EngineEvent | HeartbeatEvent;

/** A line that was not an event (kept so the controller can show worker logs). */
export interface LogLine {
  type: 'log';
  line: string;
}

const eventTypes = new Set(['run-start', 'step', 'spans', 'run-end', 'error', 'heartbeat']);

/** Serialises an event as one line. */
export function formatEvent(event: WorkerOutput): string {
  return `${JSON.stringify(event)}\n`;
}

/** Parses one line: an event, or a log line when it is not a JSON event. */
export function parseEventLine(line: string): WorkerOutput | LogLine {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed) as { type?: unknown; rank?: unknown };
      if (typeof value === 'object' && value !== null && typeof value.type === 'string' && eventTypes.has(value.type) && typeof value.rank === 'number') {
        return value as WorkerOutput;
      }
    } catch {
      // not JSON: a log line
    }
  }
  return { type: 'log', line };
}

/** Sans-IO JSON-lines parser: feed decoded text in chunks of any size, get whole events out. */
export class EngineEventParser {
  private pending = '';

  /** Adds a chunk; returns the events (and log lines) completed by it. */
  feed(chunk: string): Array<WorkerOutput | LogLine> {
    this.pending += chunk;
    const out: Array<WorkerOutput | LogLine> = [];
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim()) out.push(parseEventLine(line));
      newline = this.pending.indexOf('\n');
    }
    return out;
  }

  /** Flushes a last line that had no newline. */
  end(): Array<WorkerOutput | LogLine> {
    const rest = this.pending;
    this.pending = '';
    return rest.trim() ? [parseEventLine(rest)] : [];
  }
}
