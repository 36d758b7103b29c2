import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Outbound } from '../../src/domain/chat.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { openTestDatabase } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { type Platform, PlatformError, type SendContext, type SendResult } from '../../src/platforms/platform.ts';
import { Dispatcher, idempotencyKey } from '../../src/scheduler/dispatcher.ts';

/** A platform that answers rate-limit and server errors on demand, and records deliveries. */
class FlakyPlatform implements Platform {
  readonly name = 'sandbox' as const;
  readonly delivered: string[] = [];
  readonly calls: string[] = [];
  constructor(private readonly faults: Array<'429' | '500' | 'bad'>) {}
  async send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    this.calls.push(ctx.idempotencyKey);
    const f = this.faults.shift();
    if (f === '429') throw new PlatformError('sandbox', '99991400', 'request trigger frequency limit', true, 2000);
    if (f === '500') throw new PlatformError('sandbox', 'http_500', 'server error', true);
    if (f === 'bad') throw new PlatformError('sandbox', '230002', 'bot not in chat', false);
    // A platform with an idempotency key keeps one message per key.
    if (!this.delivered.includes(ctx.idempotencyKey)) this.delivered.push(ctx.idempotencyKey);
    return { platformMessageId: `m-${ctx.idempotencyKey}` };
  }
}

function setup(faults: Array<'429' | '500' | 'bad'>) {
  const db = openTestDatabase();
  const repo = new Repo(db);
  const clock = new FakeClock(new Date('2026-11-23T02:00:00Z'));
  const platform = new FlakyPlatform(faults);
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  const dispatcher = new Dispatcher({ repo, platforms: new Map([['sandbox', platform]]), clock, log, random: () => 0.5, maxAttempts: 5 });
  const send = (chatId: string, text: string) =>
    repo.enqueue({ platform: 'sandbox', chatId, body: { type: 'text', text, mentions: [] } }, clock.now().getTime());
  return { db, repo, clock, platform, dispatcher, send, logs };
}

function key(s: { db: { $client: { prepare: (q: string) => { get: (id: number) => unknown } } } }, id: number): string {
  return idempotencyKey(s.db.$client.prepare('select id, created_at as createdAt from outbox where id = ?').get(id) as { id: number; createdAt: number });
}

describe('outbox dispatcher', () => {
  it('retries 429 and 5xx with backoff and delivers every message exactly once, in order per chat', async () => {
    const s = setup(['429', '500', '500']);
    for (let i = 1; i <= 4; i++) s.send('sandbox:g1', `m${i}`);
    s.send('sandbox:g2', 'other chat');
    for (let i = 0; i < 30; i++) {
      await s.dispatcher.drain();
      s.clock.advance(1000);
    }
    const rows = s.db.$client.prepare('select id, status, attempts, created_at as createdAt from outbox order by id').all() as Array<{
      id: number;
      status: string;
      createdAt: number;
    }>;
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const keys = rows.map(idempotencyKey);
    expect(s.platform.delivered.sort()).toEqual([...keys].sort());
    // Chat g1's messages went out in order even though the first one was retried.
    const g1 = s.platform.calls.filter((k) => keys.slice(0, 4).includes(k));
    expect([...new Set(g1)]).toEqual(keys.slice(0, 4));
    // Backoff is visible in the logs, with the platform's code.
    const retries = s.logs.filter((l) => l.msg === 'send failed, will retry');
    expect(retries.map((l) => l.code)).toEqual(expect.arrayContaining(['99991400', 'http_500']));
    expect(retries.every((l) => typeof l.retryInMs === 'number' && (l.retryInMs as number) > 0)).toBe(true);
  });

  it('honours the platform\'s rate-limit reset before retrying', async () => {
    const s = setup(['429']);
    s.send('sandbox:g1', 'hello');
    await s.dispatcher.drain();
    const row = s.db.$client.prepare('select next_attempt_at, attempts from outbox').get() as { next_attempt_at: number; attempts: number };
    expect(row.attempts).toBe(1);
    expect(row.next_attempt_at - s.clock.now().getTime()).toBeGreaterThanOrEqual(2000);
    s.clock.advance(1000);
    await s.dispatcher.drain();
    expect(s.platform.delivered).toEqual([]);
    s.clock.advance(1500);
    await s.dispatcher.drain();
    expect(s.platform.delivered).toEqual([key(s, 1)]);
  });

  it('a non-retryable error marks the row failed with the platform code, and later rows still go', async () => {
    const s = setup(['bad']);
    s.send('sandbox:g1', 'one');
    s.send('sandbox:g1', 'two');
    await s.dispatcher.drain();
    const rows = s.db.$client.prepare('select status, last_error from outbox order by id').all() as Array<{ status: string; last_error: string }>;
    expect(rows[0]).toMatchObject({ status: 'failed' });
    expect(rows[0]!.last_error).toContain('230002');
    expect(rows[1]!.status).toBe('sent');
    expect(s.logs.some((l) => l.msg === 'outbound message failed permanently' && l.code === '230002')).toBe(true);
  });

  it('after a restart, unsent rows are sent and sent rows never again', async () => {
    const s = setup([]);
    s.send('sandbox:g1', 'a');
    await s.dispatcher.drain();
    s.send('sandbox:g1', 'b'); // written, then the process "dies" before delivery
    const fresh = new Dispatcher({ repo: s.repo, platforms: new Map([['sandbox', s.platform]]), clock: s.clock, log: pino({ level: 'silent' }) });
    await fresh.drain();
    await fresh.drain();
    expect(s.platform.calls).toEqual([key(s, 1), key(s, 2)]);
  });

  it('a burst is paced at the per-chat rate instead of hitting the platform limit', async () => {
    const s = setup([]);
    let wall = 0; // the limiter's wall clock, moved by hand
    const limited = new Dispatcher({
      repo: s.repo,
      platforms: new Map([['sandbox', s.platform]]),
      clock: s.clock,
      log: pino({ level: 'silent' }),
      rateLimits: { sandbox: { appPerSecond: 100, chatPerMinute: 20 } },
      monotonicNow: () => wall,
    });
    for (let i = 0; i < 8; i++) s.send('sandbox:g1', `n${i}`);
    await limited.drain();
    expect(s.platform.delivered).toHaveLength(5); // the bucket's burst; the next slot is 3 s away
    wall += 3000;
    await limited.drain();
    expect(s.platform.delivered).toHaveLength(6); // 20/min = one every 3 s
    wall += 60_000;
    await limited.drain();
    expect(s.platform.delivered).toHaveLength(8);
    await limited.stop();
  });

  it('short waits are slept inline so a drain delivers a small burst at the app rate', async () => {
    const s = setup([]);
    const paced = new Dispatcher({
      repo: s.repo,
      platforms: new Map([['sandbox', s.platform]]),
      clock: s.clock,
      log: pino({ level: 'silent' }),
      rateLimits: { sandbox: { appPerSecond: 20, chatPerMinute: 6000 } },
    });
    for (let i = 0; i < 8; i++) s.send(`sandbox:c${i}`, 'x');
    const t0 = performance.now();
    await paced.drain();
    expect(s.platform.delivered).toHaveLength(8);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0); // paced, not refused
  });
});

describe('outbox dispatcher passes', () => {
  it("a chat waiting on a retry holds back only its own later rows; other chats' rows and new rows go", async () => {
    const s = setup(['500']);
    s.send('sandbox:g1', 'g1-a'); // fails once: g1 waits for its retry
    s.send('sandbox:g1', 'g1-b');
    s.send('sandbox:g2', 'g2-a');
    await s.dispatcher.drain();
    expect(s.platform.delivered).toEqual([key(s, 3)]);
    s.send('sandbox:g2', 'g2-b');
    s.send('sandbox:g3', 'g3-a');
    await s.dispatcher.drain();
    // Across chats the turn goes to the chat served longest ago (g3 never was): only the set is fixed.
    expect(s.platform.delivered.slice(0, 1)).toEqual([key(s, 3)]);
    expect([...s.platform.delivered].sort()).toEqual([key(s, 3), key(s, 4), key(s, 5)].sort());
    s.clock.advance(60_000);
    await s.dispatcher.drain();
    // g1's rows in order once its first row's retry time came.
    expect(s.platform.delivered.slice(3)).toEqual([key(s, 1), key(s, 2)]);
    const status = s.db.$client.prepare('select status, attempts from outbox order by id').all();
    expect(status).toEqual([
      { status: 'sent', attempts: 2 },
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
    ]);
  });

  it('kick returns before anything is sent, and a drain started meanwhile includes later rows', async () => {
    const s = setup([]);
    s.send('sandbox:g1', 'one');
    s.dispatcher.kick();
    expect(s.platform.calls).toEqual([]); // not inside the caller (a command, a scheduler tick)
    s.send('sandbox:g1', 'two');
    await s.dispatcher.idle();
    expect(s.platform.delivered).toEqual([key(s, 1), key(s, 2)]);
  });

  it('a card row is stored with its body intact and its update goes to the same platform message', async () => {
    const s = setup([]);
    const card = { header: { title: 't', color: 'blue' }, fields: [], markdown: ['v1'], buttons: [], mentions: [], summary: 's' };
    s.repo.enqueue({ platform: 'sandbox', chatId: 'sandbox:g1', body: { type: 'card', card, cardKey: 'k1' } } as never, s.clock.now().getTime());
    await s.dispatcher.drain();
    s.repo.enqueue(
      { platform: 'sandbox', chatId: 'sandbox:g1', body: { type: 'card', card: { ...card, markdown: ['v2'] }, cardKey: 'k1', update: true } } as never,
      s.clock.now().getTime(),
    );
    const seen: Array<{ update?: string; markdown: string[] }> = [];
    const send = s.platform.send.bind(s.platform);
    s.platform.send = async (msg, ctx) => {
      if (msg.body.type === 'card') seen.push({ update: ctx.updateMessageId, markdown: msg.body.card.markdown });
      return send(msg, ctx);
    };
    await s.dispatcher.drain();
    expect(seen).toEqual([{ update: `m-${key(s, 1)}`, markdown: ['v2'] }]);
  });
});

describe('fair delivery across chats', () => {
  it("a chat draining a 300-message backlog at its own pace never delays another chat's first message", async () => {
    const s = setup([]);
    // Feishu's budget: 5 messages a second per group, 50 per app.
    const fair = new Dispatcher({
      repo: s.repo,
      platforms: new Map([['sandbox', s.platform]]),
      clock: s.clock,
      log: pino({ level: 'silent' }),
      rateLimits: { sandbox: { appPerSecond: 50, chatPerMinute: 300 } },
    });
    for (let i = 0; i < 300; i++) s.send('sandbox:busy', `card ${i}`);
    fair.kick();
    while (s.platform.delivered.length < 5) await new Promise((r) => setTimeout(r, 5));
    const helpId = s.send('sandbox:quiet', '/帮助 answer');
    const t0 = performance.now();
    fair.kick();
    const helpKey = key(s, helpId);
    for (let i = 0; i < 300 && !s.platform.delivered.includes(helpKey); i++) await new Promise((r) => setTimeout(r, 10));
    const waited = performance.now() - t0;
    const position = s.platform.delivered.indexOf(helpKey);
    await fair.stop();
    // Delivered next (within one pacing step of the busy chat), not after its backlog.
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThan(10);
    expect(waited).toBeLessThan(1500);
    // Stopping finished the send in flight and left the rest of the backlog pending, in order.
    const pending = s.db.$client.prepare(`select count(*) as n from outbox where status = 'pending'`).get() as { n: number };
    expect(pending.n).toBeGreaterThan(250);
    expect(s.platform.delivered.length + pending.n).toBe(301);
  }, 20_000);

  it('stop() during a send waits for that send only; the rows not started stay pending', async () => {
    const s = setup([]);
    let release!: () => void;
    const send = s.platform.send.bind(s.platform);
    s.platform.send = async (msg, ctx) => {
      await new Promise<void>((r) => (release = r)); // a slow platform answer
      return send(msg, ctx);
    };
    for (let i = 0; i < 3; i++) s.send('sandbox:g1', `m${i}`);
    s.dispatcher.kick();
    while (s.platform.calls.length === 0 && !release) await new Promise((r) => setTimeout(r, 1));
    const stopped = s.dispatcher.stop();
    setTimeout(() => release(), 20);
    await stopped;
    expect(s.platform.delivered).toEqual([key(s, 1)]);
    const pending = s.db.$client.prepare(`select id from outbox where status = 'pending' order by id`).pluck().all();
    expect(pending).toEqual([2, 3]);
  });
});
