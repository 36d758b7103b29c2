// The request form in the sandbox, filled and submitted like a person does it: /需求 alone, the
// people picker, the date input, the priority select; then the contacts' confirmation cards.
// With GROUPFLOW_SCREENSHOTS=1 the form's screenshot for the README is written to docs/img/.

import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../helpers/runtime.ts';
import { canRun, startSession } from './browser.ts';

const SHOTS = process.env.GROUPFLOW_SCREENSHOTS === '1' ? 'docs/img' : 'test-results';

describe.skipIf(!canRun)('the request form in the sandbox', () => {
  let rt: TestRuntime;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    ({ rt, browser, page, base } = await startSession());
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  const card = (title: string): Locator => page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: title }) }).last();

  it('is filled with the pickers and submitted; the confirmation cards follow', async () => {
    await page.goto(`${base}/sandbox`);
    await page.selectOption('#identity', { label: '张三' });
    await page.locator('#input').fill('/需求');
    await page.locator('#input').press('Enter');
    const form = card('发起协作需求');
    await form.getByRole('button', { name: '提交', exact: true }).click();
    const f = form.locator('form.card-form');
    await f.waitFor();
    await f.locator('[name="title"]').fill('官网改版接口联调');
    await f.locator('select[name="to"]').selectOption([{ label: '李四' }, { label: '王五' }]);
    await f.locator('[name="due"]').fill('2026-11-27T18:00');
    await f.locator('select[name="pri"]').selectOption({ label: '高' });
    await f.locator('[name="std"]').fill('联调通过并出测试报告');
    await form.screenshot({ path: `${SHOTS}/sandbox-request-form.png` });
    await f.locator('button[type="submit"]').click();
    await card('需求确认').waitFor();
    await expect.poll(() => page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: '需求确认' }) }).count()).toBe(2);
    expect(rt.repo.getItem(1)).toMatchObject({ kind: 'request', title: '官网改版接口联调', priority: 'high' });
    expect(rt.repo.people(1).map((p) => p.role)).toEqual(['contact', 'contact']);
    await page.screenshot({ path: `${SHOTS}/sandbox-request-submitted.png` });
  });

  it('a form sent without a required field says so on the card and creates nothing', async () => {
    await page.locator('#input').fill('/问题');
    await page.locator('#input').press('Enter');
    const form = card('登记问题');
    await form.getByRole('button', { name: '提交', exact: true }).click();
    const f = form.locator('form.card-form');
    await f.locator('[name="text"]').fill('支付回调超时');
    await f.locator('button[type="submit"]').click();
    await expect.poll(() => f.locator('.form-error').innerText()).toContain('请填写');
    expect(rt.repo.getItem(2)).toBeUndefined();
  });
});
