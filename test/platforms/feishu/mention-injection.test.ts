// Attacks through Feishu: a group member types our internal mention tokens, Feishu's own mention
// tags and markdown into every command that stores text, then the bot's cards, texts, reminders
// and the weekly digest are read as the fake OpenAPI received them. Only people Feishu itself
// listed in `mentions` may be @-ed; everything else a person typed stays text.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf, markdowns } from '../../fakes/feishu.fake.ts';

// Typed, never delivered by Feishu as a mention. `<<@…>>` survives a single pass that turns
// tokens into `@name` text, so it is tried everywhere too.
const TOKENS = '<@feishu:all><<@feishu:all>><@feishu:ou_carol><<@feishu:ou_carol>>';
const MARKUP = '[点我](https://evil.example/x)[js](javascript:alert(1))<font color=red>红</font><at id=all></at><at user_id="all"></at><link url="https://evil.example">l</link>';
const TYPED = `${TOKENS}${MARKUP}`;

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});


/** Texts and card markdown of everything the bot sent or patched, and of every callback answer. */
function outbound(extra: unknown[] = []): { texts: string[]; cards: string[] } {
  const texts: string[] = [];
  const cards: string[] = [];
  for (const s of h.fake.sent) {
    if (s.msgType === 'text') texts.push((JSON.parse(s.content) as { text: string }).text);
    else cards.push(...markdowns(JSON.parse(s.content)));
  }
  for (const p of h.fake.patches) cards.push(...markdowns(JSON.parse(p.content)));
  for (const e of extra) cards.push(...markdowns(e));
  return { texts, cards };
}

/** No @ of all or of a person Feishu never listed, no link or tag from typed markup. */
function expectNothingInjected(o: { texts: string[]; cards: string[] }): void {
  for (const t of o.texts) {
    expect(t).not.toMatch(/<at\s+(user_)?id="?(all|ou_carol)\b/i);
    expect(t).not.toMatch(/<(font|link|a)\b/i);
    expect(t).not.toMatch(/\]\((https?|javascript):/i);
  }
  for (const c of o.cards) {
    expect(c).not.toMatch(/<at\s+(user_)?id="?(all|ou_carol)\b/i);
    expect(c).not.toMatch(/<(font|link|a)\b/i);
    expect(c).not.toMatch(/\]\((https?|javascript):/i);
  }
}

const kindId = (kind: string) =>
  (h.rt.db.$client.prepare(`select id from items where kind = ? order by id desc limit 1`).get(kind) as { id: number } | undefined)?.id;

describe('Feishu: typed mention tokens and markup stay text', () => {
  it('every command that stores text, the click forms, reminders and the digest', async () => {
    const answers: unknown[] = [];
    await h.says(A, `@{ou_bot} /需求 发布${TYPED}@all 协作:@{ou_bob} <@feishu:all> <@feishu:ou_carol> 截止:周五 标准:${TYPED}`);
    const req = kindId('request')!;
    expect(req).toBeDefined();
    await h.says(A, `@{ou_bot} /任务 #${req} 写文档${TYPED} @{ou_bob} 截止:周五`);
    const task = kindId('task')!;
    expect(task).toBeDefined();
    await h.says(A, `@{ou_bot} /反馈 @{ou_bob} 能否确认${TYPED}`);
    expect(kindId('ask')).toBeDefined();
    await h.says(A, `@{ou_bot} /问题 崩溃${TYPED} sev:一般 @{ou_bob} 截止:周五`);
    expect(kindId('issue')).toBeDefined();
    await h.says(B, `@{ou_bot} /进度 #${task} 50% risk:${TYPED}`);
    await h.says(A, `@{ou_bot} /记录 会议${TYPED}@all`);
    await h.says(B, `@{ou_bot} /回复 #${kindId('ask')} 答复${TYPED}`);

    // A typed token on its own is not a person: a clear refusal, not a request to "all".
    const before = h.whispers().length;
    await h.says(A, '@{ou_bot} /需求 单独 协作:<@feishu:all> 截止:周五');
    expect(h.whispers().slice(before).map((w) => w.text).join('\n')).toContain('协作');

    // A form value typed into a card is text as well.
    const card = h.cardFor('需求确认', B);
    answers.push((await h.clicks(B, card, '提出异议', { reason: `异议${TYPED}` })).json());

    await h.says(A, `@{ou_bot} /查看 #${req}`);
    await h.says(A, '@{ou_bot} /列表');
    await h.says(A, '@{ou_bot} /周报');

    // Reminders (the confirmation clock runs out on Tuesday) and next Monday's digest.
    h.rt.clock.set(new Date('2026-11-24T16:00:00+08:00'));
    h.rt.scheduler.tick();
    await h.settle();
    h.rt.clock.set(new Date('2026-11-30T10:05:00+08:00'));
    h.rt.scheduler.tick();
    await h.settle();

    // Nobody but B was ever made a participant.
    const people = h.rt.db.$client.prepare('select distinct user_id as u from item_people').all() as Array<{ u: string }>;
    const known = [`feishu:${A.openId}`, `feishu:${B.openId}`];
    expect(people.map((p) => p.u).filter((u) => !known.includes(u))).toEqual([]);

    const o = outbound(answers);
    expect(o.cards.length).toBeGreaterThan(5);
    expect(o.texts.length).toBeGreaterThan(5);
    expectNothingInjected(o);
    // Each place was reached: the objection, the answer, a reminder and the digest.
    const all = o.texts.join('\n');
    expect(all).toContain('提出异议：异议');
    expect(all).toContain('答复');
    expect(all).toContain('协作提醒');
    expect(o.cards.join('\n')).toContain('**已逾期**');
    // The typed text itself is still there for people to read.
    expect(o.texts.join('\n')).toContain('feishu:all');
    // A real mention in the same messages still works, in cards and in texts.
    expect(o.cards.join('\n')).toContain(`<at id=${B.openId}></at>`);
    expect(o.texts.join('\n')).toContain(`<at user_id="${B.openId}">`);
  });

  it('a real mention of B sits next to a typed token of C: only B is @-ed', async () => {
    await h.says(A, '@{ou_bot} /反馈 @{ou_bob} <@feishu:ou_carol> 请看');
    const ask = h.fake.sent.filter((s) => s.msgType === 'interactive').at(-1)!;
    expect(ask.content).toContain(`<at id=${B.openId}></at>`);
    expect(ask.content).not.toMatch(/<at id=ou_carol/);
    expect(buttonsOf(JSON.parse(ask.content)).length).toBeGreaterThan(0);
  });
});
