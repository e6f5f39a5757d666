/** `shardscope CMD --help`: that command's lines of the usage text; `--version`. */
import { usage } from './commands/index.js';

/** True when the arguments ask for help (`--help`/`-h` before any `--`). */
export function isHelpRequest(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The usage lines of one command (its `shardscope NAME ...` lines and their continuations), or null if it has none. */
export function commandUsage(name: string): string | null {
  const lines = usage.split('\n');
  const picked: string[] = [];
  let isInside = false;
  for (const line of lines) {
    if (/^ {2}shardscope\b/.test(line)) isInside = new RegExp(`^ {2}shardscope ${name}(\\s|$)`).test(line);
    else if (!/^ {3,}\S/.test(line)) isInside = false;
    if (isInside) picked.push(line);
  }
  return picked.length > 0 ? `${lines[0]}\n\n${picked.join('\n')}\n\nExit codes: 0 ok, 1 the work failed, 2 bad usage or input. Docs: docs/architecture.md\n` : null;
}

/** True when the arguments are exactly a version request. */
export function isVersionRequest(args: string[]): boolean {
  return args.length === 1 && (args[0] === '--version' || args[0] === '-V' || args[0] === 'version');
}
