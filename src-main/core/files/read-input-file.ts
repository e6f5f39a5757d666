/**
 * Reads a small file the user named (model JSON, hosts list, ssh config): only a regular file, only
 * up to a size cap, so a directory, a FIFO or /dev/zero is a one-line `bad-input` instead of a
 * crash or a hang.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Default cap of an input file (model configs and host lists are kilobytes). */
export const INPUT_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** The text of `path`, or `bad-input` naming `what` (e.g. `--hosts`) and the reason. */
export function readInputFile(path: string, what: string, maxBytes = INPUT_FILE_MAX_BYTES): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait; regular files ignore the flag.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'cannot open';
    throw new ShardScopeError('bad-input', `${what}: ${reason}: ${path}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new ShardScopeError('bad-input', `${what}: ${path} is a directory, not a file`);
    if (!stat.isFile()) throw new ShardScopeError('bad-input', `${what}: ${path} is not a regular file`);
    if (stat.size > maxBytes) throw new ShardScopeError('bad-input', `${what}: ${path} is ${stat.size} bytes, more than the ${maxBytes} this accepts`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
