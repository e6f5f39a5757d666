/** A run request handed from one view to the Run view (the Planner's "Launch this plan"), taken once. */
import type { RunRequest } from '../../src-shared/run-live.js';

let pending: Partial<RunRequest> | null = null;

/** Keeps a request for the Run view to put in its form. */
export function setLaunchIntent(request: Partial<RunRequest>): void {
  pending = request;
}

/** The request kept for the Run view, once (null when there is none). */
export function takeLaunchIntent(): Partial<RunRequest> | null {
  const request = pending;
  pending = null;
  return request;
}
