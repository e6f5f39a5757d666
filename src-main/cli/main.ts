/** The `shardscope` command: dispatches to sub-commands; exit 0 ok, 1 failed, 2 bad usage/input. */
import { ShardScopeError } from '../../src-shared/errors.js';
import { defaultStorePath, sweepInterruptedRuns } from '../core/store/index.js';
import { commands, usage } from './commands/index.js';
import type { CliIo } from './io.js';
import { commandUsage, isHelpRequest, isVersionRequest } from './command-help.js';
import { packageVersion } from './runtime-paths.js';
import { loggerFromEnv } from '../core/log/logger.js';

/** How long a command may take to stop after the first Ctrl-C before the process exits anyway. */
const STOP_DEADLINE_MS = 8000;

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort(new ShardScopeError('cancelled', 'interrupted'));
    // One Ctrl-C always stops: whatever does not wind down in time is cut short (probes die with us).
    setTimeout(() => process.exit(130), STOP_DEADLINE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
  const [name = 'app', ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage);
    return 0;
  }
  if (isVersionRequest(argv)) {
    io.stdout.write(`shardscope ${packageVersion()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  const help = command && isHelpRequest(rest) ? commandUsage(name) : null;
  if (help) {
    io.stdout.write(help);
    return 0;
  }
  if (!command) {
    io.stderr.write(`shardscope: unknown command "${name}" (try: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  // Runs whose controller died (killed, crashed) are marked `interrupted` whenever ShardScope starts.
  sweepInterruptedRuns(defaultStorePath(io.env));
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof ShardScopeError) {
      io.stderr.write(`shardscope ${name}: ${error.message}\n`);
      return error.kind === 'bad-input' ? 2 : 1;
    }
    const sqliteCode = (error as { code?: unknown }).code;
    if (typeof sqliteCode === 'string' && /^SQLITE_(CORRUPT|NOTADB|FULL|IOERR|READONLY|CANTOPEN)/.test(sqliteCode)) {
      // The store went bad while in use (it is checked when opened): say so in one line, keep the file.
      io.stderr.write(`shardscope ${name}: the store could not be read or written (${sqliteCode}: ${(error as Error).message.split('\n')[0]}); it was left as it is\n`);
      return 1;
    }
    throw error;
  }
}

// A reader that stops early (`shardscope runs | head -2`) closes the pipe: that ends the output, it is no crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(error);
    loggerFromEnv(process.env).error(`shardscope ${process.argv.slice(2, 3).join('')} crashed`, error);
    process.exitCode = 1;
  },
);
