// Issue 2's flow once in a real headless Chromium, clicking and typing like a person: switch
// identity, type commands, click card buttons, fill the reason forms. The server is the real
// runtime on 127.0.0.1 (in-memory database, a clock started on a Monday morning), so the test
// also checks the rows.

import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../helpers/runtime.ts';
import { canRun, startSession } from './browser.ts';

const SCREENSHOT = 'test-results/sandbox-flow.png';
const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过';


describe.skipIf(!canRun)('sandbox page in headless Chromium', () => {
  let rt: TestRuntime;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    ({ rt, browser, page, base } = await startSession());
  });

  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  // ── what a person does ─────────────────────────────────────────────────────────────────────
  const actAs = (name: string) => page.selectOption('#identity', { label: name });
  async function type(text: string): Promise<void> {
    const input = page.locator('#input');
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('');
  }
  /** A card by title, optionally the one whose 对接人 field names `contact`; the newest first. */
  function card(title: string, contact?: string): Locator {
    let c = page.locator('.msg[data-type="card"]').filter({ has: page.locator('.card-title', { hasText: title }) });
    if (contact) c = c.filter({ has: page.locator('.field', { hasText: '对接人' }).filter({ hasText: `@${contact}` }) });
    return c.last();
  }
  async function click(c: Locator, label: string): Promise<void> {
    await c.getByRole('button', { name: label, exact: true }).click();
  }
  async function toast(c: Locator, kind: 'ok' | 'err'): Promise<string> {
    const t = c.locator(`.toast.${kind}`);
    await t.waitFor();
    return (await t.textContent()) ?? '';
  }
  const botSaid = (text: string) => page.locator('.msg.bot .bubble', { hasText: text }).last().waitFor();
  const state = () => rt.repo.getItem(1)?.state;

  it('runs the request flow by clicking and typing', async (t) => {
    t.onTestFailed(async () => {
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/sandbox-flow-failure.png' });
    });
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#chat-title').textContent()).toBe('【技术部】接口联调');
    await expect.poll(() => page.locator('#conn').textContent()).toContain('实时');
    expect(await page.locator('#identity option').allTextContents()).toEqual(['张三', '李四', '王五', '赵六']);
    await page.locator('.empty').waitFor();

    // Shift+Enter makes a new line instead of sending.
    const input = page.locator('#input');
    await input.click();
    await input.pressSequentially('第一行');
    await input.press('Shift+Enter');
    await input.pressSequentially('第二行');
    expect(await input.inputValue()).toBe('第一行\n第二行');
    await input.fill('');

    // 张三 raises the request → one confirmation card per contact.
    await actAs('张三');
    await type(RAISE);
    await botSaid('已发起需求 #1');
    const lsCard = card('需求确认', '李四');
    const wwCard = card('需求确认', '王五');
    await lsCard.waitFor();
    await wwCard.waitFor();
    expect(await page.locator('.msg.mine .bubble').first().innerHTML()).toContain('class="mention"');
    expect(await lsCard.locator('.card-tag').textContent()).toBe('待确认');
    expect(await lsCard.locator('.card').getAttribute('class')).toContain('c-orange');
    expect(await lsCard.locator('.field', { hasText: '截止' }).locator('dd').textContent()).toBe('2026-11-27 18:00 周五');
    expect(await lsCard.locator('.for-note').textContent()).toContain('@李四');

    // 王五 clicks 李四's button: refused, shown next to the card; nothing changes.
    await actAs('王五');
    await click(lsCard, '确认对接');
    expect(await toast(lsCard, 'err')).toContain('仅限');
    expect(state()).toBe('pending');
    expect(await lsCard.getByRole('button', { name: '确认对接' }).count()).toBe(1);

    // 李四 confirms: his card turns green in place, its buttons gone.
    await actAs('李四');
    expect(await lsCard.locator('.for-note').textContent()).toContain('轮到你');
    await click(lsCard, '确认对接');
    expect(await toast(lsCard, 'ok')).toContain('成功');
    await lsCard.locator('.card.c-green').waitFor();
    expect(await lsCard.locator('.actions').count()).toBe(0);
    expect(await lsCard.locator('.md').textContent()).toContain('@李四 已确认');

    // 王五 objects: the form insists on a reason, then 张三 is told.
    await actAs('王五');
    await click(wwCard, '提出异议');
    const form = wwCard.locator('form.card-form');
    await form.waitFor();
    await form.getByRole('button', { name: /提交/ }).click();
    expect(await form.locator('.form-error').textContent()).toContain('请填写');
    await form.locator('textarea[name="reason"]').fill('接口文档还没定稿');
    await form.getByRole('button', { name: /提交/ }).click();
    expect(await toast(wwCard, 'ok')).toContain('成功');
    await botSaid('接口文档还没定稿');
    expect(await page.locator('.msg.bot .bubble', { hasText: '接口文档还没定稿' }).last().locator('.mention').allTextContents()).toContain('@张三');
    expect(state()).toBe('objected');

    // 王五 then confirms → 进行中.
    await wwCard.locator('.card.c-red').waitFor();
    await click(wwCard, '确认对接');
    await wwCard.locator('.card.c-green').waitFor();
    await expect.poll(state).toBe('active');

    // 李四 submits → an acceptance card for 张三, the evidence a link.
    await actAs('李四');
    await type('/提交 #1 联调报告 evidence:https://example.com/r');
    const review = card('成果验收');
    await review.waitFor();
    expect(await review.locator('a[href="https://example.com/r"]').count()).toBeGreaterThan(0);
    expect(await review.locator('.for-note').textContent()).toContain('@张三');

    // 张三 rejects with a reason and a new date.
    await actAs('张三');
    await click(review, '驳回');
    const rejectForm = review.locator('form.card-form');
    await rejectForm.locator('[name="reason"]').fill('缺少压测数据');
    await rejectForm.locator('[name="due"]').fill('12月2日');
    await review.scrollIntoViewIfNeeded();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/sandbox-form.png' });
    await rejectForm.getByRole('button', { name: /提交/ }).click();
    expect(await toast(review, 'ok')).toContain('成功');
    await review.locator('.card.c-red').waitFor();
    expect(await review.locator('.md').textContent()).toContain('缺少压测数据');
    expect(state()).toBe('rework');

    // 李四 submits again → 张三 accepts on the new card → 张三 closes.
    await actAs('李四');
    await type('/提交 #1 联调报告v2 evidence:https://example.com/r2');
    const review2 = page.locator('.msg[data-type="card"]').filter({ has: page.locator('a[href="https://example.com/r2"]') }).last();
    await review2.waitFor();
    await actAs('张三');
    await click(review2, '验收通过');
    expect(await toast(review2, 'ok')).toContain('成功');
    await review2.locator('.card.c-green').waitFor();
    await type('/关闭 #1');
    await expect.poll(state).toBe('closed');

    // /查看 #1: the whole history, with who and when.
    await type('/查看 #1');
    const history = card('接口联调').filter({ hasText: '历史记录' });
    await history.waitFor();
    const text = (await history.textContent()) ?? '';
    for (const s of ['发起', '提出异议', '驳回', '验收通过', '关闭', '接口文档还没定稿', '缺少压测数据', '@王五', '2026-11-23 10:00']) {
      expect(text).toContain(s);
    }
    expect(await history.locator('.card-tag').textContent()).toBe('已关闭');

    const actions = rt.repo.history(1).map((h) => h.action);
    expect(actions).toEqual(['create', 'confirm', 'object', 'confirm', 'submit', 'reject', 'submit', 'accept', 'close']);

    await history.scrollIntoViewIfNeeded();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('adds a user and a group, and falls back to polling when live updates are unavailable', async () => {
    const p2 = await browser.newPage({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    p2.setDefaultTimeout(10_000);
    await p2.route('**/sandbox/api/events', (r) => r.fulfill({ status: 503, body: 'no' }));
    await p2.goto(`${base}/sandbox`);
    await expect.poll(() => p2.locator('#conn').textContent()).toContain('轮询');

    await p2.locator('#new-user').fill('孙七');
    await p2.locator('#add-user').getByRole('button').click();
    await expect.poll(() => p2.locator('#identity option:checked').textContent()).toBe('孙七');
    await p2.locator('#new-user').fill('孙七');
    await p2.locator('#add-user').getByRole('button').click();
    await expect.poll(() => p2.locator('#add-user-error').textContent()).toContain('已有名为「孙七」的用户');

    await p2.locator('#new-chat').fill('【产品部】需求评审');
    await p2.locator('#add-chat').getByRole('button').click();
    await expect.poll(() => p2.locator('#chat-title').textContent()).toBe('【产品部】需求评审');
    await p2.locator('.empty').waitFor();
    await p2.locator('.example', { hasText: '/帮助' }).click();
    await p2.locator('#input').press('Enter');
    await p2.locator('.msg.bot .bubble', { hasText: '/需求' }).first().waitFor();

    // Someone else speaks in that group (another tab, here the API): polling picks it up.
    const chatId = rt.db.$client.prepare("select id from sandbox_chats where name = '【产品部】需求评审'").get() as { id: string };
    const r = await rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', payload: { chatId: chatId.id, userId: 'sandbox:lisi', text: '@孙七 欢迎加入' } });
    expect(r.statusCode).toBe(201);
    const welcome = p2.locator('.msg', { hasText: '欢迎加入' });
    await welcome.waitFor();
    expect(await welcome.locator('.mention.me').textContent()).toBe('@孙七');
    await p2.close();
  });
});
