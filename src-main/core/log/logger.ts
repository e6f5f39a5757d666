/**
 * The one logger of core: lines appended to `$SHARDSCOPE_HOME/shardscope.log` (next to the run
 * store), filtered by `SHARDSCOPE_LOG_LEVEL` (error | warn | info | debug | off; default info).
 * It is for bugs and refusals a user never sees in the UI: internal errors of API calls with their
 * stack, refused senders, event listeners that throw. Expected failures go back to the caller instead.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultStorePath } from '../store/open-store.js';

/** Severity of a line, most severe first; `off` writes nothing. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const severity: Record<LogLevel | 'off', number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Writes lines; `error` may carry what was thrown (its stack is written below the line). */
export interface Logger {
  readonly filePath: string | null;
  error(message: string, thrown?: unknown): void;
  warn(message: string, thrown?: unknown): void;
  info(message: string): void;
  debug(message: string): void;
}

/** `$SHARDSCOPE_HOME/shardscope.log`, else `~/.shardscope/shardscope.log` (the run store's folder). */
export function defaultLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultStorePath(env)), 'shardscope.log');
}

/** The level asked for in `SHARDSCOPE_LOG_LEVEL`; unset is `info`, an unknown value is `bad` (reported once by the logger). */
export function logLevelOf(env: NodeJS.ProcessEnv = process.env): LogLevel | 'off' | 'bad' {
  const value = (env.SHARDSCOPE_LOG_LEVEL ?? '').trim().toLowerCase();
  if (value === '') return 'info';
  return value in severity ? (value as LogLevel | 'off') : 'bad';
}

/** Text of what was thrown: the stack when there is one, else the message or value. */
function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.stack ?? `${thrown.name}: ${thrown.message}`;
  return String(thrown);
}

/** Where and how much to log. */
export interface LoggerOptions {
  filePath: string;
  level: LogLevel | 'off';
  /** Where lines go when the file cannot be written (default: stderr). */
  fallback?: (text: string) => void;
}

/** A logger appending to one file; the folder is created on the first line. */
export function createLogger(options: LoggerOptions): Logger {
  const limit = severity[options.level];
  const fallback = options.fallback ?? ((text: string) => process.stderr.write(text));
  let isFileBroken = false;
  const write = (level: LogLevel, message: string, thrown?: unknown) => {
    if (severity[level] > limit) return;
    const detail = thrown === undefined ? '' : `\n  ${describeThrown(thrown).replace(/\n/g, '\n  ')}`;
    const text = `${new Date().toISOString()} ${level.toUpperCase()} ${message}${detail}\n`;
    if (!isFileBroken) {
      try {
        mkdirSync(dirname(options.filePath), { recursive: true });
        appendFileSync(options.filePath, text);
        return;
      } catch (error) {
        // A log that cannot be written must not take the app down, nor stay silent.
        isFileBroken = true;
        fallback(`shardscope: cannot write the log ${options.filePath} (${error instanceof Error ? error.message : String(error)}); logging to stderr\n`);
      }
    }
    fallback(text);
  };
  return {
    filePath: options.filePath,
    error: (message, thrown) => write('error', message, thrown),
    warn: (message, thrown) => write('warn', message, thrown),
    info: (message) => write('info', message),
    debug: (message) => write('debug', message),
  };
}

/** The process's logger as the environment asks for it (file in the data folder, level from SHARDSCOPE_LOG_LEVEL). */
export function loggerFromEnv(env: NodeJS.ProcessEnv = process.env): Logger {
  const asked = logLevelOf(env);
  const log = createLogger({ filePath: defaultLogPath(env), level: asked === 'bad' ? 'info' : asked });
  if (asked === 'bad') log.warn(`SHARDSCOPE_LOG_LEVEL="${env.SHARDSCOPE_LOG_LEVEL}" is not one of error, warn, info, debug, off; using info`);
  return log;
}
