/** Flag parsing for CLI commands, on node:util parseArgs: unknown or malformed flags are `bad-input`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShardScopeError } from '../../src-shared/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed value of each declared flag (absent when not given and without default). */
export type FlagValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

/** Parses flags strictly; any mistake becomes a ShardScopeError of kind `bad-input` with a one-line reason. */
export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = false): { values: FlagValues<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ShardScopeError('bad-input', message);
  }
}

/** Parses a flag value as an integer in [min, max], or throws `bad-input` naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ShardScopeError('bad-input', `--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}
