// Headless Debian Chromium, driven by playwright-core: never a downloaded browser, and no network
// beyond the pages' own origin. Shared by the end-to-end tests and the benchmark.
import { chromium } from 'playwright-core';

/** Flags this machine's headless Chromium needs (no network beyond localhost, root user). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches `/usr/bin/chromium` (or `$CHROMIUM_PATH`). */
export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
