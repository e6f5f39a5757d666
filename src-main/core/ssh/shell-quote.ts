/** Safe remote command lines: every argument single-quoted for a POSIX shell, never pasted. */
import { ShardScopeError } from '../../../src-shared/errors.js';

const safeWord = /^[A-Za-z0-9_@%+=:,./-]+$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes one argument for a POSIX shell (`'` inside becomes `'\''`); plain words stay as they are. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new ShardScopeError('bad-input', 'a remote command argument contains a NUL byte');
  if (arg !== '' && safeWord.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins arguments into one POSIX shell command line in which each stays exactly one word. */
export function shellQuote(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}

/** What to run remotely: argv (argv[0] is the program), optional working directory and environment. */
export interface RemoteCommand {
  argv: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}

/** Builds `cd DIR && exec env K=V ... PROG ARGS` with every part quoted; bad env names are refused. */
export function buildRemoteCommand(command: RemoteCommand): string {
  if (command.argv.length === 0) throw new ShardScopeError('bad-input', 'a remote command needs at least a program name');
  const parts: string[] = [];
  if (command.cwd !== undefined) parts.push(`cd ${quoteArg(command.cwd)} &&`);
  parts.push('exec');
  const env = Object.entries(command.env ?? {});
  if (env.length > 0) {
    parts.push('env');
    for (const [name, value] of env) {
      if (!envName.test(name)) throw new ShardScopeError('bad-input', `bad environment variable name for a remote command: ${JSON.stringify(name)}`);
      parts.push(quoteArg(`${name}=${value}`));
    }
    // `env` would read a program name containing `=` as one more assignment; `--` does not help there, so refuse it.
    if (command.argv[0].includes('=')) throw new ShardScopeError('bad-input', `a remote program name may not contain '=': ${JSON.stringify(command.argv[0])}`);
  }
  parts.push(shellQuote(command.argv));
  return parts.join(' ');
}
