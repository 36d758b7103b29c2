// Mention fuzz. Seed: FUZZ_SEED=<n> (printed). Generated command text full of typed mention
// tokens and both platforms' markup goes in through the real Feishu and DingTalk mappings (a
// Feishu wire event with `@_user_N` placeholders, a DingTalk robot message with `atUsers`), through
// the engine and the scheduler, and every outbox row comes out through the real renderers. The
// invariant: an outbound payload @s only people a platform really delivered as a sender or a
// mention, never all, and carries no tag or link that someone merely typed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../../src/domain/chat.ts';
import { decodeRobotMessage } from '../../src/platforms/dingtalk/dingtalk.inbound.ts';
import { cardAsMarkdown, noticeCard, renderCard as dtCard, renderText as dtText } from '../../src/platforms/dingtalk/dingtalk.render.ts';
import { parseMessageEvent, toInboundMessage } from '../../src/platforms/feishu/feishu.inbound.ts';
import { renderOutbound } from '../../src/platforms/feishu/feishu.render.ts';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { textMessage, type WireSecrets } from '../fakes/feishu.wire.ts';
import { commandText, KNOWN_NAMES } from './support/fuzz-gen.ts';
import { rng, seedFor } from './support/prng.ts';
import { markdowns } from '../fakes/feishu.fake.ts';

const SEED = seedFor('FUZZ');
const MESSAGES = 1200;
const FS: WireSecrets = { encryptKey: 'ek', verificationToken: 'vt', appId: 'cli_mention_fuzz' };
const PEOPLE = KNOWN_NAMES.map((name, i) => ({ name, openId: `ou_p${i}`, staffId: `u_p${i}` }));

/** What a rendered payload may not hold once its real mentions are taken out (`@all` only
 *  means something on DingTalk). */
function leftovers(s: string, atAll: boolean): string[] {
  const bad: string[] = [];
  if (/<[A-Za-z/!?]/.test(s)) bad.push('a tag');
  if (/\][([:]/.test(s)) bad.push('a link');
  if (atAll && /@all\b/i.test(s)) bad.push('@all');
  return bad;
}

describe(`mention fuzz (seed ${SEED})`, () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    // No platform module: rows are rendered here, and the dispatcher only marks them unsendable
    // (unpaced, so closing does not wait for a real-time send schedule).
    const fast = { appPerSecond: 1e6, chatPerMinute: 1e9 };
    rt = await testRuntime({ config: { outbox: { rateLimits: { feishu: fast, dingtalk: fast } }, platforms: { sandbox: { enabled: false } } } });
  });
  afterAll(async () => {
    await rt?.close();
  });

  it(`${MESSAGES} messages over Feishu and DingTalk: no mention or link nobody really made`, async () => {
    const r = rng(SEED ^ 0x3e47);
    const ids = { known: [...PEOPLE.map((p) => `feishu:${p.openId}`), ...PEOPLE.map((p) => `dingtalk:${p.staffId}`)], unknown: ['feishu:all', 'dingtalk:all', 'feishu:ou_x'] };
    /** Native ids a platform delivered (senders and mentions), per platform. */
    const real = { feishu: new Set<string>(), dingtalk: new Set<string>() };
    const failures: Array<{ text: string; problem: string }> = [];
    const db = rt.db.$client;
    let seen = 0;
    let cards = 0;

    const check = (o: Outbound, origin: string) => {
      const fail = (problem: string) => failures.push({ text: origin.slice(0, 160), problem });
      if (o.platform === 'feishu') {
        const { content } = renderOutbound(o);
        const parts = o.body.type === 'text' ? [(JSON.parse(content) as { text: string }).text] : markdowns(JSON.parse(content));
        for (const p of parts) {
          const atRe = o.body.type === 'text' ? /<at user_id="([^"]*)">[^<]*<\/at>/g : /<at id=([^>]*)><\/at>/g;
          for (const m of p.matchAll(atRe)) if (!real.feishu.has(m[1]!)) fail(`Feishu @ of ${m[1]}`);
          for (const b of leftovers(p.replace(atRe, ''), false)) fail(`Feishu ${o.body.type}: ${b}: ${p.slice(0, 200)}`);
        }
      } else if (o.platform === 'dingtalk') {
        const ats: string[] = [];
        const md: string[] = [];
        if (o.body.type === 'text') {
          const t = dtText(o.body);
          if (t.webhook.at.isAtAll) fail('DingTalk isAtAll');
          ats.push(...t.webhook.at.atUserIds);
          if (/@all\b/i.test(t.webhook.text.content)) fail('DingTalk webhook text: @all');
          const n = noticeCard(o.body);
          ats.push(...Object.keys(n.notify), ...n.cardAtUserIds);
          md.push(n.params.fields!, n.params.body!);
        } else {
          const c = dtCard(o.body.card);
          ats.push(...Object.keys(c.notify), ...c.cardAtUserIds);
          md.push(c.params.fields!, c.params.body!, cardAsMarkdown(o.body.card).text);
        }
        for (const id of ats) if (!real.dingtalk.has(id)) fail(`DingTalk @ of ${id}`);
        const atRe = /<a atId=([^>]*)>[^<]*<\/a>/g;
        for (const p of md) {
          for (const m of p.matchAll(atRe)) if (!real.dingtalk.has(m[1]!)) fail(`DingTalk card @ of ${m[1]}`);
          for (const b of leftovers(p.replace(atRe, ''), true)) fail(`DingTalk markdown: ${b}: ${p.slice(0, 200)}`);
        }
      }
    };
    const drainOutbox = (origin: string) => {
      const rows = db.prepare('select id, platform, chat_id as chatId, body from outbox where id > ? order by id').all(seen) as Array<{ id: number; platform: string; chatId: string; body: string }>;
      for (const row of rows) {
        seen = row.id;
        if (row.body.startsWith('{"type":"card"')) cards++;
        check({ platform: row.platform as Outbound['platform'], chatId: row.chatId, body: JSON.parse(row.body) }, origin);
      }
    };

    for (let i = 1; i <= MESSAGES; i++) {
      const sender = r.pick(PEOPLE);
      // Every 25th message is a request whose title is the generated text, so cards (and their
      // contacts' confirmation cards) carry typed tokens and markup whatever the seed.
      const forced = i % 25 === 0;
      const mentioned = forced ? [r.pick(PEOPLE.filter((p) => p !== sender))] : PEOPLE.filter(() => r.chance(0.3));
      // Refer to items that exist now and then; never `@{…}` (the Feishu wire builder's syntax).
      const generated = commandText(r, ids).text.replace(/#(\d+)/, () => `#${r.int(1, Math.max(1, i / 3))}`).replace(/@\{/g, '@ {');
      const typed = forced ? `/需求 ${generated.replace(/^\S*\s*/, '').replace(/[:：\n]/g, ' ').slice(0, 300) || '联调'} 截止:周五 协作:` : generated;
      if (r.chance(0.5)) {
        const text = `@{ou_bot} ${typed} ${mentioned.map((p) => `@{${p.openId}}`).join(' ')}`;
        const env = textMessage(FS, rt.clock.now(), { chatId: 'oc_fz', sender, text, people: [...PEOPLE, { openId: 'ou_bot', name: 'Groupflow' }] });
        const mapped = toInboundMessage(parseMessageEvent(env.event)!, { botOpenId: 'ou_bot', nameOf: (id) => rt.repo.userNames([id]).get(id), now: rt.clock.now() });
        if (mapped.kind !== 'message') continue;
        real.feishu.add(sender.openId);
        for (const p of mapped.msg.mentions) real.feishu.add(p.id.slice('feishu:'.length));
        rt.engine.handleMessage(mapped.msg);
      } else {
        const text = ` ${typed} ${mentioned.map((p) => `@${p.name}`).join(' ')}`;
        const decoded = decodeRobotMessage(
          {
            msgtype: 'text',
            text: { content: text },
            msgId: `fz${i}`,
            conversationId: 'cidFz',
            conversationType: '2',
            senderStaffId: sender.staffId,
            senderNick: sender.name,
            chatbotUserId: 'bot',
            isInAtList: true,
            atUsers: [{ dingtalkId: 'bot' }, ...mentioned.map((p) => ({ dingtalkId: `$:${p.staffId}`, staffId: p.staffId }))],
          },
          { receivedAt: rt.clock.now(), knownName: (nick) => rt.repo.findUserByName(nick, 'dingtalk')?.id },
        );
        if (!decoded.ok) continue;
        real.dingtalk.add(sender.staffId);
        for (const p of mentioned) real.dingtalk.add(p.staffId);
        rt.engine.handleMessage(decoded.message);
      }
      drainOutbox(typed);
      if (i % 100 === 0) {
        // Reminders and digests come from stored text too.
        rt.clock.advance(6 * 3600_000);
        rt.scheduler.tick();
        drainOutbox('scheduler');
      }
    }
    console.log(`[fuzz] mentions: ${MESSAGES} messages → ${seen} outbox rows checked (${cards} cards)`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(seen).toBeGreaterThan(MESSAGES / 2);
    expect(cards).toBeGreaterThan(20);
  }, 120_000);
});

