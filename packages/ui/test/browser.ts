/**
 * The system's Chromium driven by playwright-core (no browser download).
 * The flags keep a headless Chromium quiet on a closed network: without the
 * background-networking ones it keeps trying to reach Google's services.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to use, or null when none is installed (the tests then skip and say so). */
export function findChromium(): string | null {
  const fromEnv = process.env.SHOAL_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface ConsoleBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time (own --user-data-dir), removed on close. */
export async function launchBrowser(executablePath: string, colorScheme: 'light' | 'dark' = 'light'): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'shoal-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 860 },
    colorScheme,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
