/** Public types of the collectives library: options, communicator, process groups, accounting. */

/** All-reduce algorithm: `auto` is pair-wise (direct.ts) for groups of up to 4 members and the ring above. */
export type AllReduceAlgorithm = 'auto' | 'ring' | 'direct';

/**
 * Tuning switches of the collectives. Every field has a default that is right for training; the others exist
 * for benchmarks and for checking one path against another. The library never reads the environment: a
 * worker command turns its SHARDSCOPE_COLLECTIVE_* variables into these (src-worker/commands/collective-env.ts).
 */
export interface CollectiveTuning {
  /** Largest pipelined frame of the ring in bytes (default 1 MiB; the pair-wise all-reduce then uses 4 MiB); at least 4. */
  segmentBytes?: number;
  /** Which all-reduce algorithm groups use (default `auto`). */
  allReduceAlgorithm?: AllReduceAlgorithm;
  /** Read socket bytes straight into posted receive buffers where this Node allows it (default true); false forces Node's copying `data` chunks. */
  zeroCopyReads?: boolean;
  /** Add float32 with WebAssembly SIMD where this runtime has it (default true); false uses the scalar loop (bit-identical results). */
  simdSum?: boolean;
  /** Scatter segments per peer handed to the socket at once in the pair-wise all-reduce (default 2); a positive integer. */
  scatterWindowSegments?: number;
}

/** How one rank joins the run: who it is, where rank 0 listens, and the run's shared secret; plus tuning. */
export interface CollectiveOptions extends CollectiveTuning {
  /** This process's rank in [0, worldSize). */
  rank: number;
  /** Number of ranks in the run. */
  worldSize: number;
  /** Address rank 0 listens on for rendezvous (and that the other ranks dial). */
  masterAddr: string;
  /** Port rank 0 listens on for rendezvous. */
  masterPort: number;
  /** Per-run secret: every connection proves knowledge of it with an HMAC challenge. */
  secret: string;
  /** Address this rank's data listener binds to (default: advertiseHost, else masterAddr on rank 0, else 0.0.0.0). */
  bindHost?: string;
  /** Address other ranks dial to reach this rank (default: the local address that reaches the master). */
  advertiseHost?: string;
  /** Host name used in error messages ("rank 3 on gpu-b"); default os.hostname(). */
  hostLabel?: string;
  /** Peer-lost / operation timeout in milliseconds: a wait with no bytes from the awaited peer for this long fails; default 30000. */
  timeoutMs?: number;
}

/** Element-wise reduction applied by allReduce. */
export type ReduceOp = 'sum' | 'max';

/** Buffers the collectives move: 4-byte elements, reduced element-wise. */
export type NumericArray = Float32Array | Int32Array;

/** Kinds of operation counted in CollectiveStats. */
export type OpKind = 'allReduce' | 'reduceScatter' | 'allGather' | 'broadcast' | 'send' | 'recv' | 'barrier';

/** Per-op-kind accounting: calls, payload bytes sent and received by this rank, wall seconds spent inside the op. */
export type CollectiveStats = Record<OpKind, { calls: number; bytesSent: number; bytesReceived: number; seconds: number }>;

/** A connected world of ranks: the world group, sub-groups, accounting, shutdown. */
export interface Communicator {
  /** This process's rank in the world. */
  readonly rank: number;
  /** Number of ranks in the world. */
  readonly worldSize: number;
  /** The group of all ranks (ranks 0..worldSize-1). */
  readonly world: ProcessGroup;
  /** Every rank must call with the same ranks list (in the same order across calls); returns null if this rank is not a member. */
  newGroup(ranks: number[], options?: GroupOptions): ProcessGroup | null;
  /** Bytes sent/received and seconds per op kind, summed over all groups since init. */
  stats(): CollectiveStats;
  /** The same accounting split by group label (`world` for the world group, `unlabelled` for groups made without one). */
  statsByLabel(): Record<string, CollectiveStats>;
  /** Calls `listener` after every operation of every group with its timing (null stops it); for span recording. */
  traceOps(listener: ((op: OpTiming) => void) | null): void;
  /** How this rank's connections read from their sockets (zero-copy or copying) and how many bytes went each way. */
  transportStats(): TransportStats;
  /** Closes every connection and listener; pending operations fail with `peer-lost`. */
  close(): Promise<void>;
}

/** Socket reads of this rank's connections to its peers, summed since init. */
export interface TransportStats {
  /** Connections to peers (worldSize - 1). */
  connections: number;
  /** Connections whose socket reads land in buffers we choose (direct-read.ts); the rest get Node's chunks. */
  zeroCopyConnections: number;
  /** Bytes the kernel wrote straight into payload buffers (a posted receive or a pooled buffer): no copy in JS. */
  bytesReadInPlace: number;
  /** Bytes that arrived in an intermediate buffer (Node's chunk, or the header scratch) and were copied from it. */
  bytesReadCopied: number;
}

/** When one operation ran on this rank (performance.now() ms) and what it moved. */
export interface OpTiming {
  label: string;
  kind: OpKind;
  startMs: number;
  endMs: number;
  /** When the first frame from a peer began arriving for this op (null: the op received nothing). */
  firstArrivalMs: number | null;
  bytesSent: number;
  bytesReceived: number;
}

/** Options of a new group: a label under which its traffic is counted (e.g. `dp`, `tp`, `pp`). */
export interface GroupOptions {
  /** Accounting label; groups sharing a label are summed together in statsByLabel(). Default `unlabelled`. */
  label?: string;
}

/** A set of ranks that run collectives together; indices below are positions in `ranks`. */
export interface ProcessGroup {
  /** World ranks of the members, in group order. */
  readonly ranks: readonly number[];
  /** Accounting label of the group (`world` for the world group). */
  readonly label: string;
  /** Bytes sent/received and seconds per op kind of this group's operations on this rank since it was made. */
  stats(): CollectiveStats;
  /** This rank's index in the group. */
  readonly rank: number;
  /** Number of members. */
  readonly size: number;
  /** Element-wise reduction across members, in place (reduce-scatter + all-gather, pipelined: pair-wise or ring, see allReduceAlgorithm). */
  allReduce(buf: NumericArray, op?: ReduceOp): Promise<void>;
  /** Sums buf across members and returns this member's chunk (see chunkBounds); buf is left unchanged. */
  reduceScatter(buf: Float32Array): Promise<Float32Array>;
  /** Concatenates every member's chunk (member i holds chunkBounds(totalLength, size, i)) into a new array. */
  allGather(chunk: Float32Array, totalLength: number): Promise<Float32Array>;
  /** Copies the root member's buf into every member's buf, in place (all members pass the same length). */
  broadcast(buf: NumericArray, rootIndex: number): Promise<void>;
  /** Sends buf to one member; resolves once the bytes are handed to the kernel (buf may then be reused). */
  send(buf: Float32Array, toIndex: number, tag?: number): Promise<void>;
  /** Receives the next buffer sent by one member with this tag (matched in send order). */
  recv(fromIndex: number, tag?: number): Promise<Float32Array>;
  /** Resolves once every member has entered the barrier. */
  barrier(): Promise<void>;
}
