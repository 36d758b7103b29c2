// Fan-out caps as a careless (or hostile) user meets them: a command naming more people than
// one item may hold is refused with a reply naming the limit, and creates nothing (no item, no
// card, no reminder). Mentions arrive as the platform resolved them, like the adapters hand them in.

import { describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/domain/chat.ts';
import { A, B, CHAT, Conversation } from './driver.ts';

const people = (n: number): UserRef[] => Array.from({ length: n }, (_, k) => ({ id: `sandbox:p${k}`, name: `成员${k}` }));
const tokens = (us: UserRef[]) => us.map((u) => `<@${u.id}>`).join(' ');

let seq = 0;
/** `who` sends `text` whose `<@id>` tokens the platform resolved to `mentions`; returns what the bot sent. */
async function send(c: Conversation, who: UserRef, text: string, mentions: UserRef[]) {
  const before = c.platform.sent.length;
  c.engine.handleMessage({ platform: 'sandbox', chatId: CHAT, messageId: `fan${++seq}`, sender: who, text, mentions, mentionedBot: true, receivedAt: c.clock.now() });
  await c.dispatcher.drain();
  return c.texts(c.platform.sent.slice(before));
}

function rows(c: Conversation): { items: number; people: number; reminders: number } {
  const n = (t: string) => (c.db.$client.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
  return { items: n('items'), people: n('item_people'), reminders: n('reminders') };
}

describe('fan-out caps', () => {
  it('a /需求 naming 300 contacts gets one reply naming the limit and creates nothing', async () => {
    const c = new Conversation();
    const many = people(300);
    const out = await send(c, A, `/需求 全员联调 to:${tokens(many)} due:周五`, many);
    expect(c.platform.sent).toHaveLength(1); // the refusal only: no confirmation cards
    expect(out[0]).toContain('一次最多 @20 位对接人（这次有 300 位）');
    expect(out[0]).toContain('At most 20 contacts');
    expect(out[0]).toContain('用法：/需求');
    expect(rows(c)).toEqual({ items: 0, people: 0, reminders: 0 });
  });

  it('the caps are config keys: 21 contacts pass with limits.peoplePerItem 30, and 20 pass by default', async () => {
    const raised = new Conversation(undefined, { limits: { peoplePerItem: 30 } });
    await send(raised, A, `/需求 联调 to:${tokens(people(21))} 截止:2027-03-31`, people(21));
    expect(raised.repo.people(1)).toHaveLength(21);
    const byDefault = new Conversation();
    await send(byDefault, A, `/需求 联调 to:${tokens(people(20))} 截止:2027-03-31`, people(20));
    expect(byDefault.platform.sent).toHaveLength(21); // the reply and one card per contact
    expect(byDefault.repo.people(1)).toHaveLength(20);
  });

  it('/反馈, /任务 with: and /纪要 are capped the same way, each naming its people', async () => {
    const c = new Conversation();
    const many = people(25);
    expect((await send(c, A, `/反馈 ${tokens(many)} 接口什么时候好？`, many))[0]).toContain('一次最多 @20 位提问对象（这次有 25 位）');
    expect((await send(c, A, `/任务 写文档 <@${B.id}> with:${tokens(many)} 截止:2027-03-31`, [B, ...many]))[0]).toContain('一次最多 @20 位协作人（这次有 25 位）');
    const minutes = `/纪要 周会\n参会：${tokens(many)}\n- 议题一`;
    expect((await send(c, A, minutes, many))[0]).toContain('一次最多 @20 位参会人（这次有 25 位）');
    expect(rows(c)).toEqual({ items: 0, people: 0, reminders: 0 });
  });

  it('contacts added one at a time with /对接 stop at the same cap', async () => {
    const c = new Conversation(undefined, { limits: { peoplePerItem: 3 } });
    const three = people(3);
    await send(c, A, `/需求 联调 to:${tokens(three)} 截止:2027-03-31`, three);
    expect(c.repo.people(1)).toHaveLength(3);
    const out = await send(c, A, `/对接 #1 <@${B.id}>`, [B]);
    expect(out.join()).toContain('已有 3 位对接人，每项最多 3 位');
    expect(c.repo.people(1)).toHaveLength(3);
    // Naming someone already a contact again is not adding one.
    await send(c, A, `/对接 #1 <@${three[0]!.id}> duty:前端`, [three[0]!]);
    expect(c.repo.people(1)).toHaveLength(3);
  });

  it('one command message may @ at most limits.mentionsPerMessage different people', async () => {
    const c = new Conversation(undefined, { limits: { peoplePerItem: 50, mentionsPerMessage: 10 } });
    const owners = people(12);
    const text = `/记录 周会结论 ${owners.map((u) => `todo:任务${u.name} ${`<@${u.id}>`} due:周五`).join(' ')}`;
    const out = await send(c, A, text, owners);
    expect(out[0]).toContain('一条命令最多 @10 人（这条有 12 人）');
    expect(rows(c).items).toBe(0);
  });
});
