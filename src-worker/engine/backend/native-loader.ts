/** Loads the optional native TensorFlow packages at run time, so bundles keep them external and their absence is a value. */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where this code runs from: the bundle's folder (dist/) or this source folder. */
export function codeDirectory(): string {
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

/** Requires an optional package by name, resolving from the code's folder, then the working directory. */
export function requireOptional(packageName: string): unknown {
  const bases = [join(codeDirectory(), 'noop.js'), join(process.cwd(), 'noop.js')];
  let lastError: unknown;
  for (const base of bases) {
    try {
      return createRequire(base)(packageName);
    } catch (error) {
      lastError = error;
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((error as Error).message).includes(`'${packageName}'`)) break;
    }
  }
  throw lastError;
}

/** A one-line reason for a failed backend, short enough for an event or a report. */
export function oneLineReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  if (code === 'MODULE_NOT_FOUND' && /Cannot find module '(@tensorflow\/[^']+)'/.test(message) && !message.includes('.node')) {
    const name = /Cannot find module '([^']+)'/.exec(message)![1];
    return `${name} is not installed (optional dependency)`;
  }
  const line = message.split('\n').map((part) => part.trim()).find((part) => part.length > 0) ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** The folder holding the tfjs wasm binaries next to a bundle, if there is one. */
export function bundledWasmDirectory(): string | undefined {
  const dir = codeDirectory();
  return existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm')) ? dir : undefined;
}
