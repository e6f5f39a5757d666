/** Severity of a line, most severe first; `off` writes nothing. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** Writes lines; `error` may carry what was thrown (its stack is written below the line). */
export interface Logger {
    readonly filePath: string | null;
    error(message: string, thrown?: unknown): void;
    warn(message: string, thrown?: unknown): void;
    info(message: string): void;
    debug(message: string): void;
}
/** `$SHARDSCOPE_HOME/shardscope.log`, else `~/.shardscope/shardscope.log` (the run store's folder). */
export declare function defaultLogPath(env?: NodeJS.ProcessEnv): string;
/** The level asked for in `SHARDSCOPE_LOG_LEVEL`; unset is `info`, an unknown value is `bad` (reported once by the logger). */
export declare function logLevelOf(env?: NodeJS.ProcessEnv): LogLevel | 'off' | 'bad';
/** Where and how much to log. */
export interface LoggerOptions {
    filePath: string;
    level: LogLevel | 'off';
    /** Where lines go when the file cannot be written (default: stderr). */
    fallback?: (text: string) => void;
}
/** A logger appending to one file; the folder is created on the first line. */
export declare function createLogger(options: LoggerOptions): Logger;
/** The process's logger as the environment asks for it (file in the data folder, level from SHARDSCOPE_LOG_LEVEL). */
export declare function loggerFromEnv(env?: NodeJS.ProcessEnv): Logger;
