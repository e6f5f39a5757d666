/**
 * The flag helpers of every CLI command, on node:util parseArgs: unknown or malformed flags, and values
 * that do not parse, are `bad-input` with a one-line reason naming the flag (exit 2). Files named by
 * flags are read in input-files.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShardScopeError } from '../../src-shared/errors.js';
import { defaultStorePath } from '../core/store/open-store.js';
import { defaultKnownHostsFiles, type KnownHostsFiles } from '../core/ssh/known-hosts.js';

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

/** intFlag for a flag without default: undefined when not given. */
export function optionalIntFlag(name: string, value: string | undefined, min = 1, max = 1_000_000): number | undefined {
  return value === undefined ? undefined : intFlag(name, value, 0, min, max);
}

/** A positive decimal flag (GB/s, watts, a fraction, a learning rate), at most `max`; undefined when not given. */
export function numberFlag(name: string, value: string | undefined, max = Number.MAX_VALUE): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || !(parsed > 0) || parsed > max) {
    throw new ShardScopeError('bad-input', `--${name} must be a positive number${max < Number.MAX_VALUE ? ` up to ${max}` : ''}, got "${value}"`);
  }
  return parsed;
}

/** One of a fixed set of words (a zod enum's `options`, or a plain list); undefined when not given. */
export function enumFlag<T extends string>(name: string, value: string | undefined, choices: { options: readonly T[] } | readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const options: readonly string[] = Array.isArray(choices) ? choices : (choices as { options: readonly T[] }).options;
  if (!options.includes(value)) throw new ShardScopeError('bad-input', `--${name} must be one of ${options.join('|')}, got "${value}"`);
  return value as T;
}

/** "5,6,6,5" -> [5, 6, 6, 5]: comma-separated counts (0 and up); undefined when not given. */
export function countListFlag(name: string, value: string | undefined, what: string): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.some((p) => !Number.isInteger(p) || p < 0)) throw new ShardScopeError('bad-input', `--${name} must be comma-separated ${what}, got "${value}"`);
  return parts;
}

/** A file that must exist (`--data FILE`, `--identity FILE`...): its path as given, or `bad-input` "--NAME: no such file". */
export function existingFileFlag(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && !existsSync(value)) throw new ShardScopeError('bad-input', `--${name}: no such file ${value}`);
  return value;
}

/** existingFileFlag for a flag given several times. */
export function existingFilesFlag(name: string, values: string[] | undefined): string[] | undefined {
  values?.forEach((value) => existingFileFlag(name, value));
  return values;
}

/** `--known-hosts FILE`, else the app's known_hosts then ~/.ssh/known_hosts. */
export function knownHostsFlag(value: string | undefined, env: NodeJS.ProcessEnv): KnownHostsFiles {
  return value ?? defaultKnownHostsFiles(env);
}

/** The store file of `--db PATH` (its folder must exist: a typo never creates folders), else the default store. */
export function storePathFlag(value: string | undefined, env: NodeJS.ProcessEnv): string {
  if (value === undefined) return defaultStorePath(env);
  const folder = dirname(resolve(value));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ShardScopeError('bad-input', `--db: folder ${folder} does not exist`);
  if (existsSync(value) && statSync(value).isDirectory()) throw new ShardScopeError('bad-input', `--db: ${value} is a directory, not a store file`);
  return value;
}
