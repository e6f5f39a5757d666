/** Kinds of expected failure: a researcher can act on each; anything else is a bug. */
export type ErrorKind =
  | 'bad-input'
  | 'smi-missing'
  | 'smi-parse'
  | 'ssh-auth'
  | 'ssh-timeout'
  | 'ssh-unreachable'
  | 'host-key-unknown'
  | 'host-key-mismatch'
  | 'protocol'
  | 'auth'
  | 'peer-lost'
  | 'timeout'
  | 'worker-exit'
  | 'diverged'
  | 'node-missing'
  | 'node-too-old'
  | 'cancelled'
  | 'not-found'
  | 'unavailable'
  | 'internal';

/** An expected failure with a kind and a one-line message meant for the researcher. */
export class ShardScopeError extends Error {
  readonly kind: ErrorKind;
  readonly details?: Record<string, unknown>;
  constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ShardScopeError';
    this.kind = kind;
    this.details = details;
  }
}

/** The wire form of an error, as sent over IPC or WebSocket. */
export interface ErrorPayload {
  kind: ErrorKind;
  message: string;
}

/** Converts anything thrown into a wire payload; unknown throws become kind `internal`. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof ShardScopeError) return { kind: error.kind, message: error.message };
  if (isErrorPayload(error)) return { kind: error.kind, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message };
}

/** True when a value looks like an error payload (e.g. one received over the wire). */
export function isErrorPayload(value: unknown): value is ErrorPayload {
  return typeof value === 'object' && value !== null
    && typeof (value as ErrorPayload).kind === 'string'
    && typeof (value as ErrorPayload).message === 'string';
}

/** Rebuilds a ShardScopeError from its wire payload. */
export function fromErrorPayload(payload: ErrorPayload): ShardScopeError {
  return new ShardScopeError(payload.kind, payload.message);
}
