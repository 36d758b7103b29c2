// The real bot on 127.0.0.1 and Debian's Chromium driven by playwright-core, shared by the
// browser tests. Flags: what works here as root with no network (see the env notes).

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without a browser on a developer machine the tests are skipped; in CI a missing browser fails. */
export const canRun = existsSync(CHROMIUM) || !!process.env.CI;

export interface BrowserSession {
  rt: TestRuntime;
  browser: Browser;
  page: Page;
  base: string;
}

/**
 * A clock that starts on Monday 10:00 and then runs, with the dispatcher polling as in main.ts,
 * the server listening on a free port, and one page open.
 */
export async function startSession(): Promise<BrowserSession> {
  const rt = await testRuntime({ running: true });
  rt.dispatcher.start(100);
  await rt.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(rt.app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 940 }, locale: 'zh-CN' });
  page.setDefaultTimeout(10_000);
  return { rt, browser, page, base };
}
