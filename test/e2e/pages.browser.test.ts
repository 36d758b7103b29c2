// A browser opening the bot's pages sees no failed request and no console error: the sandbox
// page and, with the sandbox off, the status page at `/`.

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { CHROMIUM, canRun } from './browser.ts';

async function listen(rt: TestRuntime): Promise<string> {
  await rt.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(rt.app.server.address() as { port: number }).port}`;
}

/** Loads `url` and returns every failed response and console error the load produced. */
async function problems(page: Page, url: string): Promise<string[]> {
  const out: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) out.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => out.push(`failed ${r.url()}`));
  page.on('console', (m) => {
    if (m.type() === 'error') out.push(`console: ${m.text()}`);
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  return out;
}

describe.skipIf(!canRun)('pages in headless Chromium', () => {
  let browser: Browser;
  const runtimes: TestRuntime[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    for (const rt of runtimes) await rt.close();
  });

  it('the sandbox page asks for nothing that fails, favicon included', async () => {
    const rt = await testRuntime({ running: true });
    runtimes.push(rt);
    const page = await browser.newPage();
    expect(await problems(page, `${await listen(rt)}/`)).toEqual([]);
    expect(page.url()).toMatch(/\/sandbox$/);
    await page.close();
  });

  it('with the sandbox off, / is the one-line status page and nothing fails', async () => {
    const rt = await testRuntime({ running: true, config: { platforms: { sandbox: { enabled: false } } } });
    runtimes.push(rt);
    const page = await browser.newPage();
    expect(await problems(page, `${await listen(rt)}/`)).toEqual([]);
    expect(await page.locator('body').innerText()).toContain('协作助手 Groupflow 运行中');
    await page.close();
  });
});
