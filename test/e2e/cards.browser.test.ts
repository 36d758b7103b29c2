// Issue 3's cards once each in a real headless Chromium, clicking and typing like a person: a
// question answered on its card, a task's acceptance (a refused click, then the assigner's), a
// problem resolved, reopened with a reason and verified, multi-line minutes confirmed by each
// attendee, the weekly report, the list, the help and a Markdown archive fetched from its link.
// Same server as sandbox.browser.test.ts: the real runtime on 127.0.0.1, in-memory database, a
// clock started on Monday 2026-11-23 10:00 that then runs.
//
// The steps build on each other (item numbers #1…#6 are the order they are raised in), so the
// tests of this file only make sense in order.

import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../helpers/runtime.ts';
import { canRun, startSession } from './browser.ts';

const SCREENSHOT = 'test-results/sandbox-cards.png';

const MINUTES = [
  '/纪要 接口联调周会',
  '时间：今天 15:00',
  '地点：3楼会议室',
  '参会：@李四 @王五',
  '- 回顾上周进度',
  '- 完成登录接口联调 @李四 截止:周五',
  '- 补充压测报告 @王五 截止:下周二',
];


describe.skipIf(!canRun)('every kind of card in the sandbox page', () => {
  let rt: TestRuntime;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    ({ rt, browser, page, base } = await startSession());
    await page.goto(`${base}/`);
    await page.locator('#conn.live').waitFor();
    await page.locator('.empty').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  const failureShot = (name: string) => async () => {
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/sandbox-cards-${name}-failure.png` });
  };

  // ── what a person does ─────────────────────────────────────────────────────────────────────
  async function actAs(name: string): Promise<void> {
    await page.selectOption('#identity', { label: name });
    expect(await page.locator('#identity option:checked').textContent()).toBe(name);
  }
  async function type(text: string): Promise<void> {
    const input = page.locator('#input');
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('');
  }
  /** Types line by line, Shift+Enter between lines, then Enter sends. */
  async function typeLines(lines: string[]): Promise<void> {
    const input = page.locator('#input');
    await input.click();
    for (const [i, line] of lines.entries()) {
      if (i > 0) await input.press('Shift+Enter');
      await input.pressSequentially(line);
    }
    expect(await input.inputValue()).toBe(lines.join('\n'));
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('');
  }
  /** The newest card whose title contains `title`. */
  function card(title: string): Locator {
    return page
      .locator('.msg[data-type="card"]')
      .filter({ has: page.locator('.card-title', { hasText: title }) })
      .last();
  }
  /** A card button (not the message's own 回复 link in its header line). */
  async function click(c: Locator, label: string): Promise<void> {
    await c.locator('.actions').getByRole('button', { name: label, exact: true }).click();
  }
  async function toast(c: Locator, kind: 'ok' | 'err'): Promise<string> {
    const t = c.locator(`.toast.${kind}`);
    await t.waitFor();
    return (await t.textContent()) ?? '';
  }
  async function fillForm(c: Locator, values: Record<string, string>): Promise<void> {
    const form = c.locator('form.card-form');
    await form.waitFor();
    for (const [name, v] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(v);
    await form.getByRole('button', { name: /提交/ }).click();
  }
  const bot = (text: string) => page.locator('.msg.bot .bubble', { hasText: text }).last();
  const botSaid = (text: string) => bot(text).waitFor();
  const text = async (l: Locator) => (await l.textContent()) ?? '';
  const field = (c: Locator, label: string) => c.locator('.field', { has: page.locator('dt', { hasText: label }) }).locator('dd');
  const stateOf = (id: number) => () => rt.repo.getItem(id)?.state;

  it('a question: the urgent card is red, the person asked answers it on the card', async (t) => {
    t.onTestFailed(failureShot('question'));
    await actAs('张三');
    await type('/反馈 @李四 接口文档什么时候给？ 紧急');
    const q = card('【紧急】【反馈】');
    await q.waitFor();
    expect(await text(q.locator('.card-title'))).toBe('【紧急】【反馈】#1 接口文档什么时候给？');
    expect(await q.locator('.card').getAttribute('class')).toContain('c-red');
    expect(await text(q.locator('.card-tag'))).toBe('待回复');
    expect(await text(field(q, '请回复'))).toBe('@李四');
    // Urgent: two hours from now (10:00 Monday).
    expect(await text(field(q, '回复时限'))).toMatch(/^2026-11-23 12:0\d 周一$/);

    // 王五 was not asked: refused, nothing changes.
    await actAs('王五');
    await click(q, '回复');
    await fillForm(q, { answer: '我来答' });
    expect(await toast(q, 'err')).toContain('无权操作');
    expect(stateOf(1)()).toBe('waiting');
    await q.locator('form.card-form').getByRole('button', { name: /取消/ }).click();

    await actAs('李四');
    await click(q, '回复');
    await fillForm(q, { answer: '周三前提供' });
    expect(await toast(q, 'ok')).toContain('成功');
    await q.locator('.card.c-green').waitFor();
    expect(await text(q.locator('.card-tag'))).toBe('已回复');
    expect(await text(q.locator('.md'))).toContain('周三前提供');
    expect(await text(q.locator('.md'))).toContain('@李四');
    expect(await q.locator('.actions').count()).toBe(0);
    await botSaid('回复了反馈 #1');
    expect(stateOf(1)()).toBe('answered');
  });

  it('a task: progress with a risk, submitted, a stranger cannot accept, the assigner can', async (t) => {
    t.onTestFailed(failureShot('task'));
    await actAs('张三');
    await type('/任务 登录接口 @李四 截止:周五');
    await botSaid('新任务 #2');
    expect(await text(bot('新任务 #2'))).toContain('2026-11-27 18:00');

    await actAs('李四');
    await type('/进度 #2 60% risk:第三方延迟');
    await botSaid('风险：第三方延迟');
    expect(await text(bot('风险：第三方延迟'))).toContain('60%');
    expect(stateOf(2)()).toBe('doing');
    await type('/提交 #2 登录接口已上线');
    const review = card('【任务验收】');
    await review.waitFor();
    expect(await text(review.locator('.card-title'))).toBe('【任务验收】#2 登录接口');
    expect(await review.locator('.card').getAttribute('class')).toContain('c-orange');
    expect(await text(field(review, '交付物'))).toBe('登录接口已上线');
    expect(await text(review.locator('.for-note'))).toContain('@张三');

    await actAs('王五');
    await click(review, '验收通过');
    const refusal = await toast(review, 'err');
    expect(refusal).toContain('仅限');
    expect(refusal).toContain('@张三'); // the mention token is rendered as a name, not a raw id
    expect(refusal).not.toContain('<@');
    mkdirSync('test-results', { recursive: true });
    await review.screenshot({ path: 'test-results/sandbox-cards-refusal.png' });
    expect(stateOf(2)()).toBe('review');
    expect(await review.getByRole('button', { name: '验收通过' }).count()).toBe(1);

    await actAs('张三');
    expect(await text(review.locator('.for-note'))).toContain('轮到你');
    await click(review, '验收通过');
    expect(await toast(review, 'ok')).toContain('成功');
    await review.locator('.card.c-green').waitFor();
    expect(await text(review.locator('.card-tag'))).toBe('已验收');
    expect(await review.locator('.actions').count()).toBe(0);
    await botSaid('任务 #2 已验收完成');
    expect(stateOf(2)()).toBe('done');
  });

  it('a problem: resolved with evidence, reopened with a reason, resolved again and verified', async (t) => {
    t.onTestFailed(failureShot('problem'));
    await actAs('张三');
    await type('/问题 支付回调超时 sev:重要 @王五 impact:影响验收 截止:2027-03-31');
    const p = card('【重要】【问题】');
    await p.waitFor();
    expect(await text(p.locator('.card-title'))).toBe('【重要】【问题】#3 支付回调超时');
    expect(await p.locator('.card').getAttribute('class')).toContain('c-orange');
    expect(await text(p.locator('.card-tag'))).toBe('待处理');
    expect(await text(field(p, '严重程度'))).toBe('重要');
    expect(await text(field(p, '责任人'))).toBe('@王五');
    expect(await text(field(p, '影响'))).toBe('影响验收');

    await actAs('王五');
    await type('/解决 #3 已扩容 evidence:https://example.com/r');
    await expect.poll(() => text(p.locator('.card-tag'))).toBe('待验证');
    expect(await p.locator('a[href="https://example.com/r"]').count()).toBe(1);
    expect(await text(field(p, '解决结果'))).toBe('已扩容');
    // 张三 is asked in a new message that carries the verification buttons too.
    const ask = card('【问题验证】');
    await ask.waitFor();
    expect(await text(ask.locator('.md'))).toContain('@张三');
    expect(await ask.locator('.actions button').allTextContents()).toEqual(expect.arrayContaining(['验证通过', '重开']));

    // Only the initiator verifies: 王五's card shows it is 张三's turn.
    expect(await text(p.locator('.for-note'))).toContain('@张三');
    await actAs('张三');
    await click(p, '重开');
    const form = p.locator('form.card-form');
    await form.waitFor();
    await form.getByRole('button', { name: /提交/ }).click();
    expect(await text(form.locator('.form-error'))).toContain('请填写');
    await fillForm(p, { reason: '高峰期仍然超时' });
    expect(await toast(p, 'ok')).toContain('成功');
    await expect.poll(() => text(p.locator('.card-tag'))).toBe('处理中');
    expect(await text(p.locator('.card-body'))).toContain('已重开：高峰期仍然超时');
    await botSaid('验证未通过，已重开：高峰期仍然超时');
    expect(stateOf(3)()).toBe('working');

    await actAs('王五');
    await type('/解决 #3 加了重试');
    await expect.poll(() => text(p.locator('.card-tag'))).toBe('待验证');
    expect(await text(field(p, '解决结果'))).toBe('加了重试');
    await actAs('张三');
    await click(p, '验证通过');
    expect(await toast(p, 'ok')).toContain('成功');
    await p.locator('.card.c-green').waitFor();
    expect(await text(p.locator('.card-tag'))).toBe('已关闭');
    expect(await text(p.locator('.md'))).toContain('已验证关闭');
    expect(await p.locator('.actions').count()).toBe(0);
    expect(stateOf(3)()).toBe('closed');
    expect(rt.repo.history(3).map((h) => h.action)).toEqual(['create', 'resolve', 'reopen', 'resolve', 'verify']);
  });

  it('minutes: typed over several lines, decisions become tasks, each attendee confirms', async (t) => {
    t.onTestFailed(failureShot('minutes'));
    await actAs('张三');
    await typeLines(MINUTES);
    const m = card('【会议纪要】');
    await m.waitFor();
    // What was typed shows as one message over several lines.
    expect(await page.locator('.msg.mine .bubble', { hasText: '接口联调周会' }).last().innerHTML()).toContain('<br>');
    expect(await text(m.locator('.card-title'))).toBe('【会议纪要】#4 接口联调周会');
    expect(await m.locator('.card').getAttribute('class')).toContain('c-purple');
    expect(await text(m.locator('.card-tag'))).toBe('待确认');
    expect(await text(field(m, '时间'))).toBe('2026-11-23 15:00 周一');
    expect(await text(field(m, '地点'))).toBe('3楼会议室');
    expect(await text(field(m, '参会人'))).toBe('@李四 @王五');
    const agenda = await m.locator('.md', { hasText: '议程' }).locator('li').allTextContents();
    expect(agenda).toEqual(['回顾上周进度']);
    const decisions = await m.locator('.md', { hasText: '决议' }).locator('li').allTextContents();
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toContain('完成登录接口联调 → @李四，截止 2026-11-27 18:00');
    expect(decisions[0]).toContain('任务 #5');
    expect(decisions[1]).toContain('补充压测报告 → @王五，截止 2026-12-01 18:00');
    expect(decisions[1]).toContain('任务 #6');
    expect(rt.repo.getItem(5)).toMatchObject({ kind: 'task', ownerId: 'sandbox:lisi', parentId: 4, state: 'todo' });
    expect(rt.repo.getItem(6)).toMatchObject({ kind: 'task', ownerId: 'sandbox:wangwu', parentId: 4, state: 'todo' });

    // 赵六 did not attend.
    await actAs('赵六');
    await click(m, '确认纪要');
    expect(await toast(m, 'err')).toContain('无权操作');

    await actAs('李四');
    await click(m, '确认纪要');
    expect(await toast(m, 'ok')).toContain('成功');
    await expect.poll(() => text(m.locator('.md').last())).toContain('已确认：@李四；待确认：@王五');
    expect(await m.locator('.card').getAttribute('class')).toContain('c-purple');

    await actAs('王五');
    await click(m, '确认纪要');
    expect(await toast(m, 'ok')).toContain('成功');
    await m.locator('.card.c-green').waitFor();
    expect(await text(m.locator('.card-tag'))).toBe('已确认');
    expect(await text(m.locator('.md').last())).toBe('已确认：@李四 @王五');
    expect(await m.locator('.actions').count()).toBe(0);
    expect(stateOf(4)()).toBe('confirmed');
  });

  it('the weekly report, the list of everything and the help', async (t) => {
    t.onTestFailed(failureShot('queries'));
    await actAs('张三');
    await type('/周报');
    const r = card('【周报】');
    await r.waitFor();
    expect(await text(r.locator('.card-title'))).toBe('【周报】【技术部】接口联调 协作进展');
    expect(await text(r.locator('.card-tag'))).toBe('2026-11-23');
    expect(await text(field(r, '进行中任务'))).toBe('2');
    expect(await text(field(r, '未关闭问题'))).toBe('0');
    expect(await text(field(r, '逾期事项'))).toBe('0');
    const body = await text(r.locator('.card-body'));
    expect(body).toContain('紧急 0 · 重要 0 · 一般 0');
    expect(body).toContain('未来 7 天截止');
    expect(body).toContain('#5 任务「完成登录接口联调」');
    // SLA compliance: the lines, and the weekly trend drawn as bars with the week's numbers.
    expect(body).toContain('SLA 达标');
    const chart = r.locator('figure.chart');
    expect(await chart.count()).toBe(1);
    expect(await text(chart.locator('figcaption'))).toBe('SLA 按时 / 超时（按周）');
    expect(await chart.locator('.chart-row').count()).toBe(6);
    const week = chart.locator('.chart-row').last();
    expect(await text(week.locator('.chart-label'))).toBe('2026-W48');
    expect(Number(await week.locator('.chart-seg.s0').getAttribute('title').then((t) => t!.replace('按时 ', '')))).toBeGreaterThan(0);

    await type('/列表 全部');
    await botSaid('全部事项');
    const list = bot('全部事项');
    expect(await text(list)).toContain('全部事项（6）');
    const rows = await list.locator('li').allTextContents();
    expect(rows).toHaveLength(6);
    for (const [i, s] of ['#1 【反馈·已回复】', '#2 【任务·已完成】', '#3 【问题·已关闭】', '#4 【会议纪要·已确认】', '#5 【任务·待开始】', '#6 【任务·待开始】'].entries()) {
      expect(rows[i]).toContain(s);
    }

    await type('/帮助');
    await botSaid('协作助手命令一览');
    const help = await text(bot('协作助手命令一览'));
    for (const cmd of ['/需求', '/反馈', '/任务', '/进度', '/问题', '/解决', '/纪要', '/周报', '/列表', '/归档', '/帮助 需求']) expect(help).toContain(cmd);

    // Several kinds of card at once: a tall window from the task acceptance to the report.
    await page.setViewportSize({ width: 1360, height: 3000 });
    await page.locator('#messages').evaluate((box) => {
      const first = [...box.querySelectorAll('.msg[data-type="card"]')].find((m) => m.querySelector('.card-title')?.textContent?.includes('【任务验收】'));
      box.scrollTop += first!.getBoundingClientRect().top - box.getBoundingClientRect().top - 12;
    });
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await page.setViewportSize({ width: 1360, height: 940 });
  });

  it('an archive link in the chat downloads the Markdown of the seed tables', async (t) => {
    t.onTestFailed(failureShot('export'));
    await type('/归档 md');
    await botSaid('协作归档（md）');
    const link = bot('协作归档（md）').locator('a[href*="/files/"]');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^https?:\/\/[^/]+\/files\/[^/\s]+$/);
    // The link is built from server.host/port of the config (3000); this test listens on a
    // random port, so fetch the same path from the page's own origin.
    const url = new URL(new URL(href).pathname, base).href;
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: await r.text() };
    }, url);
    expect(got.status).toBe(200);
    expect(got.type).toContain('markdown');
    expect(got.disposition).toContain('.md');
    for (const h of ['## 协作需求发起表', '## 任务分解与分配表', '## 进度跟踪记录表', '## 问题跟踪表', '## 会议纪要', '## 成果验收表']) {
      expect(got.body).toContain(h);
    }
    for (const s of ['支付回调超时', '登录接口', '接口联调周会', '补充压测报告']) expect(got.body).toContain(s);

    // A forged link is refused.
    const forged = await page.evaluate(async (u) => (await fetch(u)).status, url.slice(0, -3) + 'xyz');
    expect(forged).toBe(403);
  });
});
