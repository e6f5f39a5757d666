/** In-process fan-out of pushed API events to every connected UI (Electron windows, WebSockets). */
import type { ApiEventName, ApiEvents } from '../../../src-shared/api/contract.js';
import type { Logger } from '../log/logger.js';

/** A listener receives every event with its name. */
export type EventSink = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

/**
 * Keeps the set of sinks. A sink that throws is a bug: it is logged (with its stack the first time,
 * then every 100th failure) and stays subscribed, and the other sinks still get the event.
 */
export class ApiEventBus {
  private readonly sinks = new Map<EventSink, { failures: number }>();

  constructor(private readonly log: Logger) {}

  /** Adds a sink; returns its removal function. */
  subscribe(sink: EventSink): () => void {
    this.sinks.set(sink, { failures: 0 });
    return () => this.sinks.delete(sink);
  }

  /** Sends one event to every sink. */
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const [sink, state] of this.sinks) {
      try {
        sink(event, payload);
      } catch (error) {
        state.failures += 1;
        if (state.failures === 1) this.log.error(`event listener threw on "${event}" (kept subscribed; the other listeners got the event)`, error);
        else if (state.failures % 100 === 0) this.log.error(`event listener has now thrown ${state.failures} times (last on "${event}")`, error);
      }
    }
  }
}
