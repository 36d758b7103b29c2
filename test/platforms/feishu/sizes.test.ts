// Oversize input through the real Feishu flow: a careless (or hostile) user types a title as
// long as a command may be (10,000 characters). The fake OpenAPI refuses bodies above Feishu's limits (230025) as Feishu does;
// every card and text must still go out, clipped with "…" and a pointer to the full content,
// while the item keeps every character that was typed.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, C, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { markdownOf } from '../../fakes/feishu.fake.ts';
import { CARD_BODY_BYTES, contentBytes, TEXT_BODY_BYTES } from '../../../src/platforms/feishu/feishu.limits.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const failedRows = () => (h.rt.db.$client.prepare(`select count(*) as n from outbox where status <> 'sent'`).get() as { n: number }).n;

/** Nothing the bot sent was over a limit, and nothing is left undelivered. */
function allWithinLimits(): void {
  expect(h.fake.bodySizes.length).toBeGreaterThan(0);
  for (const b of h.fake.bodySizes) expect(b.bytes).toBeLessThanOrEqual((b.msgType === 'text' ? 150 : 30) * 1024);
  expect(failedRows()).toBe(0);
}

describe('Feishu messages fit the platform limits', () => {
  it('a 6,000-character title and a long standard: cards are clipped with … and point to /查看 #1', async () => {
    // Title and summary alone are 36 KB; the command stays under the parser's 10,000 characters.
    const title = '超长标题'.repeat(1500);
    const std = '联调通过且性能达标'.repeat(300);
    await h.says(A, `@{ou_bot} /需求 ${title} 协作:@{ou_bob} @{ou_carol} 截止:周五 标准:${std}`);
    // What was typed is stored whole; only what is shown is clipped.
    expect(h.rt.repo.getItem(1)!.title).toBe(title);
    expect(h.rt.repo.getItem(1)!.data.std).toBe(std);
    allWithinLimits();

    for (const who of [B, C]) {
      const { card } = h.cardFor('需求确认', who);
      expect(card.header.title.content.startsWith('【需求确认】#1 超长标题')).toBe(true);
      expect(card.header.title.content.endsWith('…')).toBe(true);
      expect(markdownOf(card)).toContain('…（内容过长，完整内容请发送 /查看 #1）');
      // The ask and its buttons survive the clipping.
      expect(markdownOf(card)).toContain(`<at id=${who.openId}></at>`);
    }

    // A click answers with the updated card: it fits as well.
    const res = await h.clicks(B, h.cardFor('需求确认', B), '确认对接');
    const answer = res.json() as { card?: { data: unknown } };
    expect(answer.card).toBeDefined();
    expect(contentBytes(answer.card!.data)).toBeLessThanOrEqual(CARD_BODY_BYTES);
    allWithinLimits();

    // /查看 is itself clipped; what it cannot show is in the export.
    await h.says(A, '@{ou_bot} /查看 #1');
    const shown = h.fake.sent.filter((s) => s.msgType === 'interactive').at(-1)!;
    expect(shown.content).toContain('/归档 #1');
    allWithinLimits();
  });

  it('a text over 150 KB (a digest of hundreds of reminders) is clipped by the sender, not refused', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `- 需求 #${i + 1}「${'接口联调'.repeat(5)}」已逾期 2 天，请 <@feishu:${B.openId}> 处理`);
    const text = `⏰ 逾期提醒（${rows.length}）\n${rows.join('\n')}`;
    expect(utf8(text)).toBeGreaterThan(TEXT_BODY_BYTES);
    await h.platform.send(
      { platform: 'feishu', chatId: 'feishu:oc_group1', body: { type: 'text', text, mentions: [{ id: `feishu:${B.openId}`, name: B.name }], more: '/列表 逾期' } },
      { idempotencyKey: 'gf-digest-1' },
    );
    allWithinLimits();
    const sent = h.texts().at(-1)!;
    expect(sent.startsWith('⏰ 逾期提醒（3000）\n- 需求 #1「')).toBe(true);
    expect(sent).toMatch(/\n…另有 \d+ 条未显示（内容过长，完整内容请发送 \/列表 逾期）$/);
    // Whole rows only: each kept row still ends with its real @.
    for (const row of sent.split('\n').slice(1, -1)) expect(row).toMatch(new RegExp(`<at user_id="${B.openId}">${B.name}</at> 处理$`));
  });

  it('a digest of many long items keeps whole rows and says how many were left out', async () => {
    for (let i = 1; i <= 140; i++) await h.says(A, `@{ou_bot} /问题 第${i}个问题${'描述很长'.repeat(200)} sev:一般 @{ou_bob} due:周五`);
    expect(failedRows()).toBe(0);
    await h.says(A, '@{ou_bot} /周报');
    allWithinLimits();
    const report = h.fake.sent.filter((s) => s.msgType === 'interactive').at(-1)!;
    expect(report.content).toContain('周报');
    const md = markdownOf(JSON.parse(report.content));
    expect(md).toMatch(/…另有 \d+ 条未显示（内容过长，完整内容请发送 \/归档）/);
    // Item rows are whole: every one still ends with its @owner, or (an open problem's row) with
    // the owner's age and planned date after it.
    const rows = md.split('\n').filter((l) => l.startsWith('- ') && /#\d+/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/<at id=ou_bob><\/at>(，提出至今 \d+ \S+，计划解决 \S+ \S+ 周.)?\s*$/);

    await h.says(A, '@{ou_bot} /列表');
    const list = h.texts().at(-1)!;
    expect(list).toContain('…另有 90 项较早的未显示，发送 /归档 导出全部');
    expect(utf8(list)).toBeLessThanOrEqual(TEXT_BODY_BYTES);
  });
});
