// A stage sign-off clicked through in a real headless Chromium on the sandbox page: a customer
// request, its 需求收集 completed, a wrong person's click refused, a refusal with a reason typed
// into the card's form, then the customer contact's sign-off moving the request on, and the
// request card's stepper with it.

import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../helpers/runtime.ts';
import { canRun, startSession } from './browser.ts';

describe.skipIf(!canRun)('a stage sign-off in the sandbox page', () => {
  let rt: TestRuntime;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    ({ rt, browser, page, base } = await startSession());
    await page.goto(`${base}/`);
    await page.locator('#conn.live').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  async function actAs(name: string): Promise<void> {
    await page.selectOption('#identity', { label: name });
  }
  async function type(text: string): Promise<void> {
    const input = page.locator('#input');
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('');
  }
  const card = (title: string): Locator => page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: title }) }).last();
  const click = (c: Locator, label: string) => c.locator('.actions').getByRole('button', { name: label, exact: true }).click();
  const bot = (text: string) => page.locator('.msg.bot .bubble', { hasText: text }).last();
  const text = async (l: Locator) => (await l.textContent()) ?? '';
  const stage = () => rt.repo.getItem(1)?.stage;

  it('customer request: 需求收集 refused with a reason, then signed off by the customer contact only', async (t) => {
    t.onTestFailed(async () => {
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/sandbox-stages-failure.png' });
    });
    await actAs('张三');
    await type('/需求 数据看板定制 协作:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    await bot('需求收集 → 需求评审').waitFor();
    await type('/对接 #1 @王五 role:客户对接人');
    await bot('指定客户对接人').waitFor();
    await type('/完成 #1 核心诉求：定制数据看板；预算范围：20万');
    const first = card('【阶段签核】#1');
    await first.waitFor();
    expect(await text(first.locator('.card-title'))).toBe('【阶段签核】#1 数据看板定制 · 需求收集');
    expect(await first.locator('.card').getAttribute('class')).toContain('c-orange');

    // 李四 is not the customer contact: refused, nothing moves.
    await actAs('李四');
    await click(first, '签核通过');
    await expect.poll(async () => text(first.locator('.toast.err'))).toMatch(/仅限|无权/);
    expect(stage()).toBe('collect');

    // 王五 refuses, typing the reason into the card's form.
    await actAs('王五');
    await click(first, '退回');
    const form = first.locator('form.card-form');
    await form.waitFor();
    await form.locator('[name="reason"]').fill('缺少期望交付时间');
    await form.locator('[name="due"]').fill('+2d');
    await form.getByRole('button', { name: /提交/ }).click();
    await first.locator('.card.c-red').waitFor();
    expect(await text(first.locator('.md'))).toContain('缺少期望交付时间');
    expect(stage()).toBe('collect');

    await actAs('张三');
    await type('/完成 #1 核心诉求：定制数据看板；期望交付时间：12月20日');
    await expect.poll(() => page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: '【阶段签核】#1' }) }).count()).toBe(2);
    const second = card('【阶段签核】#1');
    await actAs('王五');
    await click(second, '签核通过');
    await second.locator('.card.c-green').waitFor();
    await bot('进入阶段「需求评审」').waitFor();
    expect(stage()).toBe('review');
    await type('/阶段 #1');
    await bot('▶️ 2. 需求评审').waitFor();
    // The request card on the page moved with the sign-off: one card, its stepper updated in place.
    const request = page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: '【需求】#1' }) });
    await expect.poll(() => request.count()).toBe(1);
    await expect.poll(async () => text(request.locator('.md'))).toMatch(/✅ 1\. 需求收集[\s\S]*▶️ 2\. 需求评审/);
  });
});
