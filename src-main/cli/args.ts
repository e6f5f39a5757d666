/** Flag parsing for CLI commands, on node:util parseArgs: unknown or malformed flags are `bad-input`. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShardScopeError } from '../../src-shared/errors.js';
import { defaultStorePath } from '../core/store/open-store.js';

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
  // Plain decimal digits only: Number() would also take 0x10, 1e3, '' and ' 8 '.
  const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ShardScopeError('bad-input', `--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

/** The store file of `--db PATH` (its folder must exist: a typo never creates folders), else the default store. */
export function storePathFlag(value: string | undefined, env: NodeJS.ProcessEnv): string {
  if (value === undefined) return defaultStorePath(env);
  const folder = dirname(resolve(value));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ShardScopeError('bad-input', `--db: folder ${folder} does not exist`);
  if (existsSync(value) && statSync(value).isDirectory()) throw new ShardScopeError('bad-input', `--db: ${value} is a directory, not a store file`);
  return value;
}
