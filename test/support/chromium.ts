/** Launches Debian's Chromium through playwright-core, headless, with the flags this offline machine needs. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SHARDSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** A fresh headless Chromium (playwright gives it a new empty profile). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}
