/**
 * Heartbeat watch over a run's ranks: a rank that has sent a heartbeat and then goes silent for
 * `timeoutMs` (SIGSTOP, a frozen host, a cut SSH link) is reported once, so the run ends within
 * seconds naming it instead of waiting for the collective timeout. Ranks that never send
 * heartbeats (engines that do not speak them) are not watched.
 */
import { RANK_HEARTBEAT_TIMEOUT_MS } from '../../../src-shared/engine-events.js';

/** Watches ranks' heartbeats. */
export class RankLiveness {
  private readonly lastSeenMs = new Map<number, number>();
  private readonly finished = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  private silentRank: number | null = null;

  constructor(private readonly onSilent: (rank: number, silentMs: number) => void, private readonly timeoutMs = RANK_HEARTBEAT_TIMEOUT_MS) {
    this.timer = setInterval(() => this.check(Date.now()), Math.min(1000, timeoutMs / 4));
    this.timer.unref();
  }

  /** A heartbeat (or any line) from a rank that speaks heartbeats. */
  beat(rank: number, nowMs = Date.now()): void {
    this.lastSeenMs.set(rank, nowMs);
  }

  /** Output from a rank: refreshes it only if it is watched (has sent a heartbeat). */
  saw(rank: number, nowMs = Date.now()): void {
    if (this.lastSeenMs.has(rank)) this.lastSeenMs.set(rank, nowMs);
  }

  /** The rank finished or exited: no longer watched. */
  done(rank: number): void {
    this.finished.add(rank);
  }

  /** The rank found silent, if any. */
  get silent(): number | null {
    return this.silentRank;
  }

  /** Checks every watched rank now (called by the timer). */
  check(nowMs: number): void {
    if (this.silentRank !== null) return;
    for (const [rank, seenMs] of this.lastSeenMs) {
      if (this.finished.has(rank) || nowMs - seenMs <= this.timeoutMs) continue;
      this.silentRank = rank;
      this.onSilent(rank, nowMs - seenMs);
      return;
    }
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.timer);
  }
}
