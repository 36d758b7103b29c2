// Oversize input through the real DingTalk flow. The fake refuses session-webhook bodies over
// 20,000 bytes (460101) and group-send msgParam over 15,000 bytes, as DingTalk does; every
// reply and card must still go out, clipped with "…" and a pointer to the full content.

import { describe, expect, it } from 'vitest';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, type Harness, cardFor, harnessEachTest, makeHarness, say } from './harness.ts';

let fake: FakeDingtalk;
let h: Harness;
harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const unsent = () => (h.rt.db.$client.prepare(`select count(*) as n from outbox where status <> 'sent'`).get() as { n: number }).n;
// A title as long as a command may be (the parser takes 10,000 characters).
const TITLE = '超长标题'.repeat(2200);
const RAISE = `/需求 ${TITLE} 协作:@李四 @王五 截止:周五 标准:${'联调通过且性能达标'.repeat(100)}`;

describe('DingTalk messages fit the platform limits', () => {
  it('a 8,800-character title: the reply and the cards are clipped with … and point to /查看 #1', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    expect(h.rt.repo.getItem(1)!.title).toBe(TITLE);
    expect(unsent()).toBe(0);

    const reply = fake.sessionSends.find((s) => s.body.text?.content.startsWith('已发起需求 #1'));
    expect(reply).toBeDefined();
    expect(utf8(JSON.stringify(reply!.body))).toBeLessThanOrEqual(20_000);
    expect(reply!.body.text!.content.endsWith('…（内容过长，完整内容请发送 /查看 #1）')).toBe(true);

    for (const who of [B, C]) {
      const params = fake.cardCreates.find((c) => c.body.outTrackId === cardFor(h, '需求确认', who))!.body.cardData.cardParamMap;
      expect(utf8(params.title!)).toBeLessThanOrEqual(500);
      expect(params.title!.endsWith('…')).toBe(true);
      expect(utf8(params.lastMessage!)).toBeLessThanOrEqual(200);
      expect(utf8(params.fields!)).toBeLessThanOrEqual(4000);
      expect(utf8(params.body!)).toBeLessThanOrEqual(4000);
      // The clipped title has no room for the pointer: it is in the card's body.
      expect(params.body).toContain('（内容过长，完整内容请发送 /查看 #1）');
      // The real @ of the person asked is whole, not cut in half.
      expect(params.body).toContain(`<a atId=${who.staffId}>${who.nick}</a>`);
    }
  });

  it('without a card template the card goes as sampleMarkdown within 15,000 bytes', async () => {
    const first = h;
    h = await makeHarness(fake, { cardTemplateId: '' });
    try {
      await say(h, A, RAISE, { at: [B, C] });
    } finally {
      await h.rt.close();
      h = first;
    }
    expect(fake.failed).toEqual([]);
    const md = fake.groupSends.filter((g) => g.body.msgKey === 'sampleMarkdown');
    expect(md.length).toBe(2);
    for (const g of md) {
      expect(utf8(g.body.msgParam)).toBeLessThanOrEqual(15_000);
      const p = JSON.parse(g.body.msgParam) as { title: string; text: string };
      expect(utf8(p.title)).toBeLessThanOrEqual(60);
      expect(p.text).toContain('（内容过长，完整内容请发送 /查看 #1）');
    }
  });
});
