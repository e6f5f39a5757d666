/** The `shardscope` command: dispatches to sub-commands; exit 0 ok, 1 failed, 2 bad usage/input. */
import { ShardScopeError } from '../../src-shared/errors.js';
import { commands, usage } from './commands/index.js';
import type { CliIo } from './io.js';
import { commandUsage, isHelpRequest, isVersionRequest } from './command-help.js';
import { packageVersion } from './runtime-paths.js';
import { loggerFromEnv } from '../core/log/logger.js';

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort(new ShardScopeError('cancelled', 'interrupted'));
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
  const command = commands[name as keyof typeof commands];
  const help = name in commands && isHelpRequest(rest) ? commandUsage(name) : null;
  if (help) {
    io.stdout.write(help);
    return 0;
  }
  if (!command) {
    io.stderr.write(`shardscope: unknown command "${name}" (try: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof ShardScopeError) {
      io.stderr.write(`shardscope ${name}: ${error.message}\n`);
      return error.kind === 'bad-input' ? 2 : 1;
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
