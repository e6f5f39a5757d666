/** In-process fan-out of pushed API events to every connected UI (Electron windows, WebSockets). */
import type { ApiEventName, ApiEvents } from '../../../src-shared/api/contract.js';

/** A listener receives every event with its name. */
export type EventSink = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

/** Keeps the set of sinks; a sink that throws is removed so one broken client cannot stop the others. */
export class ApiEventBus {
  private readonly sinks = new Set<EventSink>();

  /** Adds a sink; returns its removal function. */
  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Sends one event to every sink. */
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const sink of this.sinks) {
      try {
        sink(event, payload);
      } catch {
        this.sinks.delete(sink);
      }
    }
  }
}
