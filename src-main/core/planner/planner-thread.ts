/**
 * Strategy searches in a worker thread (a search takes tens of ms of pure CPU; thousands of them on
 * the main thread would hold every other answer of the server). One thread, started on first use,
 * calls queued in order; if the thread dies, the pending calls fail and the next call starts a new one.
 */
import { Worker } from 'node:worker_threads';
import { fromErrorPayload, ShardScopeError, type ErrorPayload } from '../../../src-shared/errors.js';
import type { SearchRequest, SearchResult } from '../../../src-shared/planner/index.js';

type Reply = { id: number; ok: true; result: SearchResult } | { id: number; ok: false; error: ErrorPayload };

/** A planner thread running dist/planner-thread.cjs. */
export class PlannerThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: SearchResult) => void; reject: (e: Error) => void }>();

  constructor(private readonly entryPath: string) {}

  /** Runs searchStrategies(request) in the thread. */
  search(request: SearchRequest): Promise<SearchResult> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  /** Stops the thread; pending calls fail as `cancelled`. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new ShardScopeError('cancelled', 'planner stopped'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.entryPath);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.result);
      else call.reject(fromErrorPayload(reply.error));
    });
    const onGone = (error?: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new ShardScopeError('internal', `planner thread stopped${error ? `: ${error.message}` : ''}`));
    };
    worker.on('error', onGone);
    worker.on('exit', () => onGone());
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
