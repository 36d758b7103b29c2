// Attacks through DingTalk: a group member types our internal mention tokens, DingTalk's own
// `<a atId=…>` and markdown into every command that stores text, then what the fake OpenAPI
// received is read: session-webhook texts and their at lists, group sends, cards (variables, the
// people they notify and @). Only people DingTalk listed in `atUsers` may be @-ed.

import { afterEach, describe, expect, it } from 'vitest';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, type Harness, cardFor, click, makeHarness, say, settle } from './harness.ts';

const TOKENS = '<@dingtalk:all><<@dingtalk:all>><@dingtalk:u_c><<@dingtalk:u_c>>';
const MARKUP = '[点我](https://evil.example/x)[js](javascript:alert(1))<font color=red>红</font><a atId=u_c>王五</a><a atId=all>所有人</a>';
const TYPED = `${TOKENS}${MARKUP}`;
// Where text is only read, never searched for an owner, a typed `@all` / `@ALL` is tried too.
const PROSE = `${TYPED}@all<@dingtalk:@ALL>`;

let fake: FakeDingtalk | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.rt.close();
  await fake?.stop();
  h = undefined;
  fake = undefined;
});

async function start(cardTemplateId?: string): Promise<Harness> {
  fake = await new FakeDingtalk().start();
  h = await makeHarness(fake, cardTemplateId === undefined ? {} : { cardTemplateId });
  return h;
}

/** Everything DingTalk would render as markdown, the plain texts, and who gets @-ed or notified. */
function outbound(f: FakeDingtalk, answers: unknown[]) {
  const markdown: string[] = [];
  const texts: string[] = [];
  const atIds: string[] = [];
  let atAll = false;
  for (const s of f.sessionSends) {
    texts.push(s.body.text?.content ?? '');
    atIds.push(...(s.body.at?.atUserIds ?? []));
    atAll ||= (s.body.at as { isAtAll?: boolean } | undefined)?.isAtAll === true;
  }
  for (const g of f.groupSends) {
    const p = JSON.parse(g.body.msgParam) as Record<string, string>;
    if (g.body.msgKey === 'sampleMarkdown') markdown.push(p.text ?? '');
    else texts.push(p.content ?? '');
  }
  const maps = [...f.cardCreates.map((c) => c.body.cardData.cardParamMap), ...f.cardUpdates.map((u) => u.body.cardData.cardParamMap)];
  for (const a of answers) {
    const x = a as { cardData?: { cardParamMap?: Record<string, string> }; userPrivateData?: { cardParamMap?: Record<string, string> } };
    if (x.cardData?.cardParamMap) maps.push(x.cardData.cardParamMap);
    if (x.userPrivateData?.cardParamMap) maps.push(x.userPrivateData.cardParamMap);
  }
  for (const m of maps) markdown.push(m.fields ?? '', m.body ?? '');
  for (const c of f.cardCreates) {
    atIds.push(...Object.keys(c.body.imGroupOpenDeliverModel.atUserIds ?? {}), ...(c.body.cardAtUserIds ?? []));
  }
  return { markdown, texts, atIds, atAll };
}

function expectNothingInjected(o: ReturnType<typeof outbound>): void {
  expect(o.atAll).toBe(false);
  expect(o.atIds.filter((id) => id !== 'u_a' && id !== 'u_b')).toEqual([]);
  for (const m of o.markdown) {
    expect(m).not.toMatch(/<a\s+atId=(?!u_a>|u_b>)/i);
    expect(m).not.toMatch(/<font\b/i);
    expect(m).not.toMatch(/\]\((https?|javascript):/i);
    expect(m).not.toMatch(/@all\b/i);
  }
  // A session webhook @s every `@<id>` listed in at.atUserIds: typed text may not hold one.
  for (const t of o.texts) expect(t).not.toMatch(/@(all|ALL)\b/);
}

const kindId = (x: Harness, kind: string) =>
  (x.rt.db.$client.prepare(`select id from items where kind = ? order by id desc limit 1`).get(kind) as { id: number } | undefined)?.id;

describe('DingTalk: typed mention tokens and markup stay text', () => {
  it('every command that stores text, the click forms, reminders and the digest (cards)', async () => {
    const x = await start();
    const answers: unknown[] = [];
    await say(x, B, '/帮助');
    await say(x, A, `/需求 发布${PROSE} 协作:@李四 <@dingtalk:all> <@dingtalk:u_c> 截止:周五 标准:${TYPED}`, { at: [B] });
    const req = kindId(x, 'request')!;
    expect(req).toBeDefined();
    await say(x, A, `/任务 #${req} 写文档${TYPED} @李四 截止:周五`, { at: [B] });
    const task = kindId(x, 'task')!;
    expect(task).toBeDefined();
    await say(x, A, `/反馈 @李四 能否确认${TYPED}`, { at: [B] });
    const ask = kindId(x, 'ask')!;
    expect(ask).toBeDefined();
    await say(x, A, `/问题 崩溃${TYPED} sev:一般 @李四 截止:2027-03-31`, { at: [B] });
    expect(kindId(x, 'issue')).toBeDefined();
    await say(x, B, `/进度 #${task} 50% risk:${TYPED}`);
    await say(x, A, `/记录 会议${PROSE}`);
    await say(x, B, `/回复 #${ask} 答复${TYPED}@u_a`);

    // B's real @ next to a typed token of C: B is @-ed, C is not.
    const card = cardFor(x, '需求确认', B);
    answers.push((await click(x, card, B, 'form', { reason: `异议${TYPED}@u_a` })).body);

    await say(x, A, `/查看 #${req}`);
    await say(x, A, '/周报');
    x.clock.set(new Date('2026-11-24T16:00:00+08:00'));
    x.rt.scheduler.tick();
    await settle(x);
    x.clock.set(new Date('2026-11-30T10:05:00+08:00'));
    x.rt.scheduler.tick();
    await settle(x);

    const people = x.rt.db.$client.prepare('select distinct user_id as u from item_people').all() as Array<{ u: string }>;
    expect(people.map((p) => p.u).filter((u) => u !== A.id && u !== B.id)).toEqual([]);

    const o = outbound(fake!, answers);
    expectNothingInjected(o);
    const md = o.markdown.join('\n');
    expect(md).toContain('<a atId=u_b>李四</a>');
    expect(md).toContain('**已逾期**');
    expect(o.atIds).toContain('u_b');
    const said = [...o.texts, md].join('\n');
    expect(said).toContain('提出异议：异议');
    expect(said).toContain('答复');
    expect(said).toContain('协作提醒');
    // What was typed is still there to read.
    expect(said).toContain('dingtalk:all');
  });

  it('without a card template: cards go out as markdown, escaped', async () => {
    const x = await start('');
    await say(x, A, `/需求 发布${PROSE} 协作:@李四 截止:周五 标准:${TYPED}`, { at: [B] });
    await say(x, A, `/问题 崩溃${TYPED} sev:一般 @李四 截止:2027-03-31`, { at: [B] });
    const o = outbound(fake!, []);
    expect(fake!.groupSends.some((g) => g.body.msgKey === 'sampleMarkdown')).toBe(true);
    expectNothingInjected(o);
  });

  it('a typed @<userId> next to a real @ of the same person is not rendered as another @', async () => {
    const x = await start();
    // B is known by name, so DingTalk's @ of B pairs with "@李四" (see pairMentions).
    await say(x, B, '/帮助');
    await say(x, A, '/需求 请 @u_b 和 @all 看 协作:@李四 截止:周五', { at: [B] });
    const sent = fake!.sessionSends.find((s) => s.body.text?.content.includes('已发起需求'))!;
    expect(sent.body.at?.atUserIds).toEqual(['u_b']);
    // The one real @ is the bot's; the typed ones are broken, and still read the same.
    expect(sent.body.text?.content.match(/@u_b\b/g) ?? []).toHaveLength(1);
    expect(sent.body.text?.content).not.toMatch(/@all\b/);
    expect(sent.body.text?.content.replace(/\u200b/g, '')).toContain('请 @u_b 和 @all 看');
  });
});
