/**
 * Per-connection bound on API calls in flight: a flood of heavy calls from one socket queues behind
 * a few slots instead of filling the event loop, and past the queue's cap is refused with `unavailable`.
 * Calls named as urgent (stopRun, getAppInfo) never wait behind the queue.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Limits of one connection. */
export interface CallLimits {
  maxInFlight: number;
  maxQueued: number;
  urgentMethods: ReadonlySet<string>;
}

export const DEFAULT_CALL_LIMITS: CallLimits = {
  maxInFlight: 4,
  maxQueued: 64,
  urgentMethods: new Set(['stopRun', 'getAppInfo']),
};

/** Runs calls of one connection under the limits. */
export class CallLimiter {
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limits: CallLimits = DEFAULT_CALL_LIMITS) {}

  /** Runs `call` now, later when a slot frees, or rejects when the queue is full. */
  run<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.limits.urgentMethods.has(method)) return call();
    if (this.inFlight < this.limits.maxInFlight) return this.start(call);
    if (this.queue.length >= this.limits.maxQueued) {
      return Promise.reject(new ShardScopeError('unavailable', `too many calls in flight on this connection (${this.limits.maxInFlight + this.limits.maxQueued}); retry later`));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => { this.start(call).then(resolve, reject); });
    });
  }

  /** Drops queued calls (the connection closed). */
  clear(): void {
    this.queue.length = 0;
  }

  private start<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    return call().finally(() => {
      this.inFlight -= 1;
      this.queue.shift()?.();
    });
  }
}
