/**
 * Writes a file the user named (`report --out`, `run --report`) without ever replacing what is
 * there with something else: a new file is created complete (temporary sibling, then a hard link
 * that fails if the name appeared meanwhile); an existing regular file (or a link to one) is
 * written through, keeping its inode, links, owner and mode; anything else (a device such as
 * /dev/full, a FIFO, a socket, a folder) is refused. Failures are one-line errors naming the path.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** A temporary name next to `path` (same folder, so link/rename stay on one file system). */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** The one-line error for a failed write of `path` (`what` names the flag). */
export function outputFileError(what: string, path: string, error: unknown): ShardScopeError {
  if (error instanceof ShardScopeError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reasons: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded', EISDIR: 'it is a folder', ENOTDIR: 'a part of the path is not a folder', ENOENT: 'the folder does not exist',
    ENXIO: 'not a regular file', EIO: 'input/output error', ELOOP: 'too many symbolic links',
  };
  const reason = Object.hasOwn(reasons, code) ? reasons[code] : (error as Error).message?.split('\n')[0] ?? String(error);
  const isUsersChoice = ['EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'ENOENT', 'ENXIO', 'ELOOP'].includes(code);
  return new ShardScopeError(isUsersChoice ? 'bad-input' : 'unavailable', `${what}: cannot write ${path}: ${reason}`);
}

/** Opens an existing `path` for writing through it, or returns null when nothing is there; refuses non-regular files. */
function openExistingRegular(path: string, what: string): number | null {
  let fd: number;
  try {
    // No O_TRUNC: nothing is changed before we know it is a regular file. O_NONBLOCK: a FIFO never blocks the open.
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw outputFileError(what, path, error);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new ShardScopeError('bad-input', `${what}: ${path} is not a regular file; reports are only written to regular files`);
  }
  return fd;
}

/** Throws a one-line error unless `path` is absent or a regular file (or a link to one); changes nothing. */
export function checkOutputFile(path: string, what: string): void {
  const fd = openExistingRegular(path, what);
  if (fd !== null) closeSync(fd);
}

/** Writes `data` to `path` as described above; returns the bytes written. */
export function writeOutputFile(path: string, data: string | Uint8Array, what = '--out'): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const fd = openExistingRegular(path, what);
  if (fd !== null) return writeThrough(fd, bytes, path, what);
  const temp = tempSibling(path);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    placeNewFile(temp, path, what);
  } catch (error) {
    throw outputFileError(what, path, error);
  } finally {
    rmSync(temp, { force: true });
  }
  return bytes.length;
}

function writeThrough(fd: number, bytes: Uint8Array, path: string, what: string): number {
  try {
    ftruncateSync(fd, 0);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
    return bytes.length;
  } catch (error) {
    throw outputFileError(what, path, error);
  } finally {
    closeSync(fd);
  }
}

/** Moves a complete temporary file to `path`: a link that fails if `path` appeared meanwhile (then written through). */
export function placeNewFile(temp: string, path: string, what: string): void {
  try {
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      const fd = openExistingRegular(path, what);
      if (fd === null) throw new ShardScopeError('bad-input', `${what}: ${path} is a broken symbolic link`);
      writeThrough(fd, readFileSync(temp), path, what);
      return;
    }
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      renameSync(temp, path); // file systems without hard links
      return;
    }
    throw error;
  }
}
