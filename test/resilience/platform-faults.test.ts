// Platform-fault suite: the fake Feishu OpenAPI answers ~30% of the bot's calls with a fault —
// a rate limit (HTTP 429 + x-ogw-ratelimit-reset / code 99991400, or code 230020), a 5xx, a hang
// longer than the client timeout before the platform acts, or a hang after it acted (the answer
// is lost). A flow of requests, questions and clicks produces about a hundred outbound calls.
// In the end every outbox row is `sent`, each message exists exactly once at the platform (one
// per idempotency key, with the content of its row), and the logs show the backoff.
// Seed: PLATFORM_FAULTS_SEED=<n>.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOutbound } from '../../src/platforms/feishu/feishu.render.ts';
import { idempotencyKey } from '../../src/scheduler/dispatcher.ts';
import type { Outbound } from '../../src/domain/chat.ts';
import { buttonsOf } from '../fakes/feishu.fake.ts';
import { messageEnvelope } from '../fakes/feishu.wire.ts';
import type { Fault, ProxiedCall } from './support/fault-proxy.ts';
import { A, B, C, FeishuBot, type LogLine } from './support/feishu-bot.ts';
import { deliverAll } from './support/deliver.ts';
import { dingtalkBot } from './support/dingtalk-bot.ts';
import { A as DA, B as DB, C as DC, click, say } from '../platforms/dingtalk/harness.ts';
import { rng, seedFor } from './support/prng.ts';

const SEED = seedFor('PLATFORM_FAULTS');
const R = rng(SEED);
const FAULT_RATE = 0.3;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 120_000;
const RESET_S = 4;
const TIMEOUT_MS = 300;
const REQUESTS = 12;
const QUESTIONS = 12;

/** One fault for ~30% of calls, drawn from the kinds Feishu produces. */
function faultPlan(call: ProxiedCall): Fault | undefined {
  if (!R.chance(FAULT_RATE)) return undefined;
  const json = (o: unknown) => JSON.stringify(o);
  const kinds: Array<() => Fault> = [
    // Gateway frequency limit: HTTP 429 with the seconds until the window resets.
    () => ({
      kind: 'status',
      status: 429,
      body: json({ code: 99991400, msg: 'request trigger frequency limit' }),
      headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(RESET_S) },
      label: '429',
    }),
    // IM send-rate limit, as HTTP 400 and as HTTP 200 with a non-zero code.
    () => ({ kind: 'status', status: 400, body: json({ code: 230020, msg: 'This chat is sending messages too fast.' }), label: '230020' }),
    () => ({ kind: 'status', status: 200, body: json({ code: 230020, msg: 'This chat is sending messages too fast.' }), label: '230020/200' }),
    // Server errors, with and without a JSON body.
    () => ({ kind: 'status', status: 500, body: json({ code: 1, msg: 'internal error' }), label: '500' }),
    () => ({ kind: 'status', status: 502, body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' }, label: '502' }),
    () => ({ kind: 'status', status: 503, body: json({ code: 2200, msg: 'service unavailable' }), label: '503' }),
    // No answer within the client timeout: before the platform acted, and after it did.
    () => ({ kind: 'hang', label: 'hang' }),
    () => ({ kind: 'hang-after', label: 'hang-after' }),
  ];
  // The token endpoint and bot info are faulted too, but only with what they can answer.
  if (call.path.includes('/auth/') || call.path.includes('/bot/v3/info')) return R.pick([kinds[0]!, kinds[3]!, kinds[4]!, kinds[6]!])();
  return R.pick(kinds)();
}

let bot: FeishuBot;
beforeAll(async () => {
  bot = await FeishuBot.create({
    timeoutMs: TIMEOUT_MS,
    level: 'debug',
    config: {
      outbox: {
        maxAttempts: 40,
        baseDelayMs: BASE_DELAY_MS,
        maxDelayMs: MAX_DELAY_MS,
        rateLimits: { feishu: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } },
      },
    },
  });
});
afterAll(async () => {
  await bot?.close();
});

interface Row {
  id: number;
  createdAt: number;
  status: string;
  attempts: number;
  body: string;
  replyTo: string | null;
  urgent: number;
  platformMessageId: string | null;
}

const retryLines = (lines: LogLine[]) => lines.filter((l) => l.msg === 'send failed, will retry') as Array<
  LogLine & { outboxId: number; code: string; attempt: number; retryInMs: number }
>;

describe(`platform faults (seed ${SEED})`, () => {
  it('delivers every outbound message exactly once through rate limits, 5xx and hangs, with visible backoff', async () => {
    const started = performance.now();
    // Warm-up without faults: the bot learns its own open_id (for @bot detection) and a token.
    expect((await bot.says(A, '@{ou_bot} /帮助')).status).toBe(200);
    await bot.deliverAll();
    bot.proxy.plan = faultPlan;

    // A flow that produces dozens of messages: requests (a reply and two confirmation cards
    // each) and urgent questions (a card each).
    for (let i = 1; i <= REQUESTS; i++) {
      const r = await bot.says(A, `@{ou_bot} /需求 联调任务${i} 协作:@{ou_bob} @{ou_carol} 截止:+3d`);
      expect(r.status).toBe(200);
    }
    for (let i = 1; i <= QUESTIONS; i++) {
      expect((await bot.says(A, `@{ou_bot} /反馈 @{ou_bob} 第${i}个接口什么时候好？ 紧急`)).status).toBe(200);
    }
    await bot.deliverAll();
    expect(bot.count(`select count(*) as n from outbox where status != 'sent'`)).toBe(0);
    // The tenant token is revoked: the bot must fetch a new one, through the same faults.
    bot.fake.revokeTokens();

    // Everyone clicks: both contacts confirm every request (card updates in place and notices),
    // B answers every question through its card's form.
    const cards = bot.sql<{ itemId: number; cardKey: string; mid: string }>(
      `select item_id as itemId, card_key as cardKey, platform_message_id as mid from card_refs order by item_id, card_key`,
    );
    for (const c of cards) {
      const labels = buttonsOf(bot.fake.card(c.mid)).map((b) => b.label);
      if (labels.includes('确认对接')) {
        const who = c.cardKey.endsWith(`feishu:${B.openId}`) ? B : C;
        const r = await bot.clicks(who, c.mid, '确认对接');
        expect(r.status).toBe(200);
        expect(r.body.toast?.type).toBe('success');
      } else if (labels.includes('回复')) {
        const r = await bot.clicks(B, c.mid, '回复', { answer: `周三前提供 #${c.itemId}` });
        expect(r.status).toBe(200);
        expect(r.body.toast?.type).toBe('success');
      }
      await bot.rt.dispatcher.drain();
    }
    const passes = await bot.deliverAll();

    // ── every row sent, each exactly once at the platform ─────────────────────────────────────
    const rows = bot.sql<Row>(
      `select id, created_at as createdAt, status, attempts, body, reply_to as replyTo, urgent, platform_message_id as platformMessageId from outbox order by id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(REQUESTS * 3 + QUESTIONS * 2 + REQUESTS * 2);
    expect(rows.filter((r) => r.status !== 'sent').map((r) => [r.id, r.status])).toEqual([]);

    const updates = rows.filter((r) => (JSON.parse(r.body) as { update?: boolean }).update === true);
    const messages = rows.filter((r) => !updates.includes(r));
    const uuids = bot.fake.sent.map((s) => s.uuid);
    // One message per row at the platform, none missing, none doubled, none stray.
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(uuids.length).toBe(messages.length);
    expect(new Set(uuids)).toEqual(new Set(messages.map(idempotencyKey)));
    // Each with its row's content, and the row knows the message id the platform gave it.
    const byUuid = new Map(bot.fake.sent.map((s) => [s.uuid, s]));
    for (const r of messages) {
      const got = byUuid.get(idempotencyKey(r))!;
      const body = JSON.parse(r.body) as Outbound['body'];
      expect(got.content).toBe(renderOutbound({ platform: 'feishu', chatId: 'feishu:oc_res1', body, urgent: r.urgent === 1 }).content);
      expect(r.platformMessageId).toBe(got.messageId);
    }
    // Card updates: each applied at least once (a PATCH is idempotent), and every card shows
    // its latest version.
    for (const r of updates) {
      const body = JSON.parse(r.body) as Outbound['body'];
      const content = renderOutbound({ platform: 'feishu', chatId: 'feishu:oc_res1', body, urgent: r.urgent === 1 }).content;
      expect(bot.fake.patches.some((p) => p.messageId === r.platformMessageId && p.content === content)).toBe(true);
    }
    for (const c of bot.sql<{ cardKey: string; mid: string }>(`select card_key as cardKey, platform_message_id as mid from card_refs`)) {
      const last = rows.filter((r) => (JSON.parse(r.body) as { cardKey?: string }).cardKey === c.cardKey).at(-1)!;
      const body = JSON.parse(last.body) as Outbound['body'];
      expect(bot.fake.cards.get(c.mid)).toBe(renderOutbound({ platform: 'feishu', chatId: 'feishu:oc_res1', body, urgent: last.urgent === 1 }).content);
    }

    // ── the faults really happened, and the backoff is visible in the logs ───────────────────
    const labels = new Map<string, number>();
    for (const f of bot.proxy.injected) labels.set(f.label, (labels.get(f.label) ?? 0) + 1);
    const sendCalls = bot.fake.requests.filter((r) => r.path.startsWith('/open-apis/im/')).length + [...bot.proxy.injected].filter((f) => f.path.startsWith('/open-apis/im/')).length;
    const retries = retryLines(bot.lines);
    const rawResends = bot.fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/open-apis/im/v1/messages')).length - uuids.length;
    console.log(
      `[platform-faults] seed=${SEED} rows=${rows.length} (updates ${updates.length}) calls≈${sendCalls} faults=${bot.proxy.injected.length} ` +
        `${JSON.stringify(Object.fromEntries(labels))} retries logged=${retries.length} raw resends=${rawResends} passes=${passes} ` +
        `${Math.round(performance.now() - started)} ms`,
    );
    expect(bot.proxy.injected.length).toBeGreaterThanOrEqual(15);
    for (const kind of ['429', 'hang']) expect(labels.get(kind) ?? 0, kind).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThan(0);
    for (const l of retries) {
      const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (l.attempt - 1));
      // Exponential backoff with jitter: within [exp/2, exp] — or the platform's reset, if longer.
      expect(l.retryInMs, JSON.stringify(l)).toBeGreaterThanOrEqual(exp / 2);
      if (l.code === '99991400') expect(l.retryInMs, JSON.stringify(l)).toBeGreaterThanOrEqual(RESET_S * 1000);
      else expect(l.retryInMs, JSON.stringify(l)).toBeLessThanOrEqual(exp);
    }
    // Retries of one row never come sooner than the one before (doubling outruns the jitter).
    const perRow = new Map<number, number[]>();
    for (const l of retries) if (l.code !== '99991400') perRow.set(l.outboxId, [...(perRow.get(l.outboxId) ?? []), l.retryInMs]);
    for (const [id, delays] of perRow) for (let i = 1; i < delays.length; i++) expect(delays[i], `row ${id}: ${delays}`).toBeGreaterThanOrEqual(delays[i - 1]!);
    // The vendor code of every failure is in the log line (for the admin), and nothing failed for good.
    expect(retries.every((l) => typeof l.code === 'string' && l.code.length > 0)).toBe(true);
    expect(bot.lines.filter((l) => l.msg === 'outbound message failed permanently')).toEqual([]);
    // Every row's attempts = 1 + its logged retries (no send slipped by unlogged).
    const logged = new Map<number, number>();
    for (const l of retries) logged.set(l.outboxId, (logged.get(l.outboxId) ?? 0) + 1);
    for (const r of rows) expect(r.attempts, `row ${r.id}`).toBe(1 + (logged.get(r.id) ?? 0));
  }, 120_000);
});

describe('a transient failure of bot/v3/info (the bot learning its own open_id)', () => {
  // Feishu's receive doc lists mentions as {key, id, name, tenant_key}; `mentioned_type` appears
  // only in the SDK typings. Without the bot's open_id, @bot detection relies on it.
  async function commandDuringOutage(mentionedType: 'bot' | undefined): Promise<number> {
    const b = await FeishuBot.create({ timeoutMs: TIMEOUT_MS, level: 'silent' });
    try {
      let infoCalls = 0;
      b.proxy.plan = (call) =>
        call.path === '/open-apis/bot/v3/info' && infoCalls++ === 0
          ? { kind: 'status', status: 503, body: JSON.stringify({ code: 2200, msg: 'service unavailable' }), label: '503' }
          : undefined;
      const env = messageEnvelope(b.secrets, b.clock.now(), {
        chatId: 'oc_res1',
        sender: A,
        messageType: 'text',
        content: JSON.stringify({ text: '@_user_1 /帮助' }),
        mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot', union_id: 'on_ou_bot' }, name: 'Groupflow', tenant_key: 'tk_test', ...(mentionedType ? { mentioned_type: mentionedType } : {}) }],
      });
      expect((await b.push('/feishu/events', env)).statusCode).toBe(200);
      await b.processed();
      return b.count(`select count(*) as n from outbox where reply_to = ?`, (env.event.message as { message_id: string }).message_id);
    } finally {
      await b.close();
    }
  }

  it('with mentioned_type "bot" in the payload, the command is answered', async () => {
    expect(await commandDuringOutage('bot')).toBe(1);
  });

  // With the payload shape of Feishu's docs (no mentioned_type), the mention before a leading
  // slash command is taken as the bot while its open_id is unknown.
  it('with the documented payload (no mentioned_type), the acknowledged command is still answered', async () => {
    expect(await commandDuringOutage(undefined)).toBe(1);
  });
});

describe(`DingTalk under faults (seed ${SEED})`, () => {
  const R2 = rng(SEED ^ 0xd1d1);
  // Faults DingTalk produces before acting: throttling (403 QPS limit, 429 + retry-after), 5xx, a
  // reset connection, a throttled session webhook (errcode 130101). Lost answers are tested apart:
  // DingTalk's robot send APIs take no idempotency key.
  function dingtalkPlan(call: ProxiedCall): Fault | undefined {
    if (!R2.chance(FAULT_RATE)) return undefined;
    const json = (o: unknown) => JSON.stringify(o);
    const session = call.path === '/robot/sendBySession';
    return R2.pick<() => Fault>([
      () => ({ kind: 'status', status: 403, body: json({ code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps limit' }), label: 'qps' }),
      () => ({ kind: 'status', status: 429, body: json({ code: 'Throttling', message: 'throttled' }), headers: { 'retry-after': '2' }, label: '429' }),
      () => ({ kind: 'status', status: 500, body: json({ code: 'InternalError', message: 'boom' }), label: '500' }),
      () => ({ kind: 'status', status: 503, body: '<html>503</html>', headers: { 'content-type': 'text/html' }, label: '503' }),
      () => ({ kind: 'drop', label: 'reset' }),
      () => (session ? { kind: 'status', status: 200, body: json({ errcode: 130101, errmsg: 'send too fast' }), label: '130101' } : { kind: 'drop', label: 'reset' }),
    ])();
  }

  it('delivers every message exactly once through throttling, 5xx and resets', async () => {
    const bot = await dingtalkBot({ config: { outbox: { maxAttempts: 40, baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS, rateLimits: { dingtalk: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } } } } });
    try {
      const { h, fake } = bot;
      await say(h, DA, '/帮助');
      bot.proxy.plan = dingtalkPlan;
      for (let i = 1; i <= 8; i++) await say(h, DA, `/需求 联调${i} 协作:@李四 @王五 截止:+3d`, { at: [DB, DC] });
      for (let i = 1; i <= 8; i++) await say(h, DA, `/反馈 @李四 第${i}个接口什么时候好？ 紧急`, { at: [DB] });
      await deliverAll(h.rt, h.clock);
      // Each contact confirms on their own card (its callback answer is private; the card is
      // updated for everyone through the outbox).
      const confirms = fake.cardCreates.filter((c) => c.body.cardData.cardParamMap.title?.includes('需求确认'));
      expect(confirms).toHaveLength(16);
      for (const c of confirms) {
        const who = [DB, DC].find((p) => Object.keys(c.body.imGroupOpenDeliverModel.atUserIds ?? {}).includes(p.staffId))!;
        const r = await click(h, c.body.outTrackId, who, 'btn1');
        expect(r.status).toBe(200);
        expect(r.body.userPrivateData?.cardParamMap.notice).toContain('成功');
      }
      await deliverAll(h.rt, h.clock);
      expect(h.rt.db.$client.prepare(`select count(*) as n from items where kind = 'request' and state = 'active'`).get()).toEqual({ n: 8 });
      const rows = h.rt.db.$client.prepare(`select id, created_at as createdAt, status, body from outbox order by id`).all() as Array<{ id: number; createdAt: number; status: string; body: string }>;
      expect(rows.filter((r) => r.status !== 'sent').map((r) => r.id)).toEqual([]);
      const updates = rows.filter((r) => (JSON.parse(r.body) as { update?: boolean }).update === true);
      const messages = rows.length - updates.length;
      const tracks = fake.cardCreates.map((c) => c.body.outTrackId);
      expect(new Set(tracks).size).toBe(tracks.length);
      // Every message row is at the platform once: a card (by its outTrackId = the row's key), or one text.
      expect(fake.cardCreates.length + fake.groupSends.length + fake.sessionSends.length).toBe(messages);
      expect(fake.cardUpdates.length).toBeGreaterThanOrEqual(updates.length);
      expect(bot.proxy.injected.length).toBeGreaterThan(5);
      expect(bot.lines.some((l) => l.msg === 'send failed, will retry')).toBe(true);
      console.log(`[platform-faults] dingtalk: rows=${rows.length} (updates ${updates.length}) faults=${bot.proxy.injected.length} cards=${tracks.length} texts=${fake.groupSends.length + fake.sessionSends.length}`);
    } finally {
      await bot.close();
    }
  }, 60_000);

  // A card whose createAndDeliver answer is lost (timeout, reset): DingTalk created it; the retry
  // with the same outTrackId is answered 400 param.outTrackIdExisted, which means "delivered".
  // The row is marked sent with the card's reference, so clicks work and later versions of the
  // card update it in place instead of posting a second one.
  it('a card whose create answer was lost is delivered once, marked sent, and still works', async () => {
    const bot = await dingtalkBot();
    try {
      const { h, fake } = bot;
      let creates = 0;
      bot.proxy.plan = (call) => (call.path === '/v1.0/card/instances/createAndDeliver' && creates++ === 0 ? { kind: 'drop-after', label: 'lost' } : undefined);
      await say(h, DA, '/需求 联调 协作:@李四 截止:+3d', { at: [DB] });
      await deliverAll(h.rt, h.clock);
      const rows = h.rt.db.$client.prepare(`select status, last_error as err from outbox`).all() as Array<{ status: string; err: string | null }>;
      expect(fake.cardCreates).toHaveLength(1);
      expect(creates).toBe(2); // the lost attempt and the retry DingTalk refused as a duplicate
      expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
      const confirmCard = fake.cardCreates[0]!.body.outTrackId;
      const r = await click(h, confirmCard, DB, 'btn1');
      expect(r.body.userPrivateData?.cardParamMap.notice).toContain('成功');
      await deliverAll(h.rt, h.clock);
      // The confirmed card is updated in place; the only other card is the @ notice that the
      // request is now in progress (texts with @ go as notice cards).
      expect(fake.cardCreates.filter((c) => c.body.outTrackId === confirmCard)).toHaveLength(1);
      expect(fake.cardUpdates.map((u) => u.body.outTrackId)).toContain(confirmCard);
      expect(fake.cardCreates.slice(1).map((c) => c.body.cardData.cardParamMap.title)).toEqual(['提醒']);
      expect(h.rt.db.$client.prepare(`select count(*) as n from outbox where status != 'sent'`).get()).toEqual({ n: 0 });
    } finally {
      await bot.close();
    }
  });

  // DingTalk's session webhook and robot group send take no idempotency key: when the answer to
  // a text is lost after DingTalk posted it, the retry posts it again.
  // BUG (reported, platform limitation): the group sees the text twice.
  it.fails('a text whose answer was lost is not posted twice', async () => {
    const bot = await dingtalkBot();
    try {
      const { h, fake } = bot;
      let sends = 0;
      bot.proxy.plan = (call) => (call.path === '/robot/sendBySession' && sends++ === 0 ? { kind: 'drop-after', label: 'lost' } : undefined);
      await say(h, DA, '/帮助');
      await deliverAll(h.rt, h.clock);
      expect(h.rt.db.$client.prepare(`select status from outbox`).all()).toEqual([{ status: 'sent' }]);
      expect(fake.sessionSends.length + fake.groupSends.length + fake.cardCreates.length).toBe(1);
    } finally {
      await bot.close();
    }
  });
});
