/** Kinds of expected failure: a researcher can act on each; anything else is a bug. */
export type ErrorKind = 'bad-input' | 'smi-missing' | 'smi-parse' | 'ssh-auth' | 'ssh-timeout' | 'ssh-unreachable' | 'host-key-unknown' | 'host-key-mismatch' | 'protocol' | 'auth' | 'peer-lost' | 'timeout' | 'worker-exit' | 'cancelled' | 'not-found' | 'unavailable' | 'internal';
/** An expected failure with a kind and a one-line message meant for the researcher. */
export declare class ShardScopeError extends Error {
    readonly kind: ErrorKind;
    readonly details?: Record<string, unknown>;
    constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>);
}
/** The wire form of an error, as sent over IPC or WebSocket. */
export interface ErrorPayload {
    kind: ErrorKind;
    message: string;
}
/** Converts anything thrown into a wire payload; unknown throws become kind `internal`. */
export declare function toErrorPayload(error: unknown): ErrorPayload;
/** True when a value looks like an error payload (e.g. one received over the wire). */
export declare function isErrorPayload(value: unknown): value is ErrorPayload;
/** Rebuilds a ShardScopeError from its wire payload. */
export declare function fromErrorPayload(payload: ErrorPayload): ShardScopeError;
