/** Opens a URL in Chromium or the default browser when there is a display; never fails the caller. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasDisplay } from './electron-launcher.js';

const linuxBrowsers = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/xdg-open'];

/** Returns the program used, or null when no display or no browser was found. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): string | null {
  if (!hasDisplay(env)) return null;
  const [command, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]]
    : [linuxBrowsers.find((b) => existsSync(b)), [url]];
  if (!command) return null;
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return command;
  } catch {
    return null;
  }
}
