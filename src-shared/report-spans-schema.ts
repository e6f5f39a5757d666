/** The spans part of a run's report (see run-spans.ts): every span, the step windows, clock alignment and the summary. */
import { z } from 'zod';

const nullableNumber = z.number().nullable();

/** One span of one rank at its real time on the run clock (epoch ms). */
export const rankSpanSchema = z.object({
  rank: z.number().int(), step: z.number().int(),
  kind: z.enum(['forward', 'backward', 'optimizer', 'data', 'operator', 'collective']), name: z.string(),
  startMs: z.number(), durationMs: z.number(), stage: z.number().int(),
  microBatch: z.number().int().optional(), group: z.string().optional(), bytes: z.number().optional(), waitMs: z.number().optional(),
  thread: z.number().int().optional(),
});

const rankStepSpanSchema = z.object({
  rank: z.number().int(), step: z.number().int(), totalMs: z.number(), computeMs: z.number(), exposedCommunicationMs: z.number(),
  bubbleMs: z.number(), waitMs: z.number(), idleMs: z.number(),
});

/** Spans of a run as the report carries them; absent for runs recorded without spans. */
export const runSpansReportSchema = z.object({
  spans: z.array(rankSpanSchema),
  windows: z.array(z.object({ rank: z.number().int(), step: z.number().int(), stepStartMs: z.number(), stepEndMs: z.number() })),
  clocks: z.array(z.object({ rank: z.number().int(), offsetMs: z.number(), errorMs: z.number(), roundTrips: z.number().int() })),
  /** torch.profiler runs: per rank, operators over the profiled steps, most self time first. */
  operators: z.array(z.object({ rank: z.number().int(), name: z.string(), calls: z.number().int(), selfMs: z.number(), totalMs: z.number() })),
  summary: z.object({
    tracedSteps: z.number().int(),
    perRank: z.array(rankStepSpanSchema.omit({ step: true }).extend({ slowestInSteps: z.number().int() })),
    bubbleFractionMeasured: nullableNumber, bubbleFractionIdeal: nullableNumber, bubbleFractionError: nullableNumber,
    steps: z.array(z.object({ step: z.number().int(), ranks: z.array(rankStepSpanSchema), slowestRank: z.number().int(), bubbleFraction: nullableNumber })),
  }).nullable(),
});

/** The spans part of a run report. */
export type RunSpansReport = z.infer<typeof runSpansReportSchema>;
