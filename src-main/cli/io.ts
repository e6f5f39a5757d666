/** What a CLI command may touch: its streams and environment, passed in so tests can run commands in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C / SIGTERM: long-running commands stop their work and clean up. */
  signal: AbortSignal;
}

/** A CLI sub-command: returns the exit code (0 ok, 1 the work failed, 2 bad usage or input). */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** Writes one line to stdout. */
export function printLine(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a value as one line of JSON to stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
