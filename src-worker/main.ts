/** The worker program: one process per rank. `node dist/worker.cjs <command> [flags]`. */
import { workerCommands } from './commands/index.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name !== undefined && Object.hasOwn(workerCommands, name) ? workerCommands[name] : undefined;
  if (!command) {
    process.stderr.write(`shardscope-worker: unknown command "${name ?? ''}" (try: ${Object.keys(workerCommands).join(', ')})\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => { console.error(error); process.exitCode = 1; },
);
