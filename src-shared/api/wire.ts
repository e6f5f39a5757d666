/** Messages of the web-mode WebSocket transport (JSON, one message per frame). */
import { z } from 'zod';
import type { ErrorPayload } from '../errors.js';

/** A call from the UI. */
export const wireRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(64),
  args: z.array(z.unknown()).max(16),
});
export type WireRequest = z.infer<typeof wireRequestSchema>;

/** The answer to one call. */
export type WireResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorPayload };

/** A pushed event. */
export interface WireEvent {
  event: string;
  payload: unknown;
}
