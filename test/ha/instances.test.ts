// Three instances on one PostgreSQL database, as a deployment runs them: the compiled bundle
// (built once here) started three times under plain node, each with its own port and instance id,
// Feishu in webhook mode against the fake Feishu OpenAPI (behind a proxy that answers sends a
// little late, and very late just before the kill, so the kill lands after the platform acted),
// and a round-robin proxy in front of the three to which the signed webhook events are posted. A
// seeded stream of events across eight chats runs — questions, requests with deadlines, /回复,
// chatter, unknown commands — each event delivered twice to two different instances (Feishu's
// retry; half the time both at once), two clicks on one card sent to two instances at once, urgent
// reminders falling due on short clocks. Mid-load one instance is killed with SIGKILL (the stream
// goes on; what was not acknowledged is delivered again) and comes back under a new name, as a
// replacement would, so its claims and leases are taken over when they expire; later all three
// are restarted one at a time with SIGTERM. At the end:
//   - every acknowledged event acted on exactly once (items, replies and audit rows per event);
//   - every outbox row sent, each message at the platform exactly once (distinct uuids = rows);
//     a call reaching the platform again is allowed only for what the killed instance had under
//     way (one call before the kill, one after), and reported;
//   - each chat's messages reached the platform in outbox id order;
//   - each racing pair of clicks is applied at most once: one audit row; the other click is
//     answered with the same success (the same person's same click) or a refusal;
//   - every due reminder fired exactly once, each firing one message;
//   - no error logged by any instance, and more than one instance held chats' send leases.
// Two in-process cases follow, for what the load reaches only by chance: an instance dying
// between a command and its event being marked done, and a click delivered twice to two instances.
// The database is a fresh one per run (dropped after it), not a schema chosen through
// search_path: where the migrations keep their journal, and which schema their foreign keys name,
// is then no concern of the test's. Seed: HA_SEED=<n> (printed). Child logs: the temp directory
// printed on failure.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createFeishu, type FeishuPlatform } from '../../src/platforms/feishu/index.ts';
import { createRuntime } from '../../src/runtime.ts';
import { MONDAY_10AM } from '../helpers/runtime.ts';
import type { Outbound } from '../../src/domain/chat.ts';
import { ephemeralCard, renderOutbound } from '../../src/platforms/feishu/feishu.render.ts';
import { idempotencyKey } from '../../src/scheduler/dispatcher.ts';
import { buttonsOf, FakeFeishu } from '../fakes/feishu.fake.ts';
import { cardClick, type Person, signedRequest, textMessage, type WireSecrets } from '../fakes/feishu.wire.ts';
import { FaultProxy } from '../resilience/support/fault-proxy.ts';
import { A, B, C, FeishuBot, PEOPLE } from '../resilience/support/feishu-bot.ts';
import { rng, seedFor } from '../resilience/support/prng.ts';
import { buildBundle, freePort, REPO_ROOT, ServerProcess } from '../resilience/support/server-process.ts';
import { RoundRobinProxy } from './round-robin.ts';

const SEED = seedFor('HA');
const R = rng(SEED);
const INSTANCES = 3;
const CHATS = Array.from({ length: 8 }, (_, i) => `oc_ha${i + 1}`);
const SECRETS: WireSecrets = { encryptKey: 'ek-ha-5c1f93', verificationToken: 'vt-ha-70b2de', appId: 'cli_ha00000000001' };
const ADMIN_URL = process.env.GROUPFLOW_TEST_PG_URL ?? process.env.GROUPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = `gf_ha_${SEED.toString(36)}_${process.pid}`;
/** Fresh databases for the two in-process cases below (their fake clocks must not meet). */
const WINDOW_DB = `${DB_NAME}_w`;
const CLICK_DB = `${DB_NAME}_c`;

// Counts and timestamps are bigint columns: read them as numbers, as the bot's own client does.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Kind = 'ask' | 'req' | 'reply' | 'chatter' | 'unknown';

interface Ev {
  kind: Kind;
  tag: string;
  chatId: string;
  eventId: string;
  messageId: string;
  envelope: Record<string, unknown>;
  acked: boolean;
  deliveries: number;
}

interface Answer {
  acked: boolean;
  backend?: string;
  toast?: string;
  toastType?: string;
}

/** Two clicks of one person on one button, sent to two instances at once. */
interface Race {
  itemId: number;
  messageId: string;
  actor: Person;
  action: 'confirm' | 'reply';
  answers: Answer[];
}

interface OutboxRow {
  id: number;
  createdAt: number;
  chatId: string;
  status: string;
  body: string;
  replyTo: string | null;
  urgent: number;
  platformMessageId: string | null;
}

let dir: string;
let fake: FakeFeishu;
let sendProxy: FaultProxy;
let lb: RoundRobinProxy;
let admin: pg.Client;
let dbUrl: string;
let dbCreated = false;
let keepDir = false;
const servers: Array<ServerProcess | undefined> = [];
const bundleDir = join(REPO_ROOT, '.tmp', `ha-dist-${process.pid}`);
let entry: string;
/** Answers to sends come late enough that a kill lands between the platform acting and the bot hearing of it. */
let slowSends = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gf-ha-'));
  entry = buildBundle(bundleDir);
  fake = await new FakeFeishu().start();
  sendProxy = await new FaultProxy(fake.url).start();
  sendProxy.plan = (call) => (call.path.startsWith('/open-apis/im/') ? { kind: 'delay', ms: slowSends ? R.int(300, 700) : R.int(5, 60), label: 'delay' } : undefined);
  admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  dbCreated = true;
  await admin.query(`create database "${DB_NAME}"`);
  await admin.query(`create database "${WINDOW_DB}"`);
  await admin.query(`create database "${CLICK_DB}"`);
  dbUrl = urlOf(DB_NAME);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s?.kill9()));
  await lb?.stop();
  await sendProxy?.stop();
  await fake?.stop();
  if (dbCreated) {
    for (const name of [DB_NAME, WINDOW_DB, CLICK_DB]) {
      await admin.query(`drop database if exists "${name}" with (force)`).catch((err: unknown) => console.warn(`[ha] could not drop ${name}: ${String(err)}`));
    }
  }
  await admin?.end().catch(() => undefined);
  rmSync(bundleDir, { recursive: true, force: true });
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  else console.log(`[ha] kept ${dir} for inspection`);
});

function urlOf(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

function writeConfig(): string {
  const file = join(dir, 'bot.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      server: { host: '127.0.0.1' },
      log: { level: 'info', pretty: false },
      // Urgent questions must be answered within 15 s; heads-up 6 s before; pings every 12 s.
      clocks: { urgent: '0.25m' },
      scheduler: { cron: '*/2 * * * * *', headsUp: { urgent: '0.1m' }, urgentRepeat: '0.2m', maxPings: 3, digest: { enabled: false } },
      outbox: {
        baseDelayMs: 200,
        maxDelayMs: 2000,
        rateLimits: { feishu: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } },
      },
      platforms: {
        sandbox: { enabled: false },
        feishu: {
          enabled: true,
          mode: 'webhook',
          appId: SECRETS.appId,
          appSecret: 'app-secret-ha-9e44',
          encryptKey: SECRETS.encryptKey,
          verificationToken: SECRETS.verificationToken,
          domain: sendProxy.url,
        },
      },
    }),
  );
  return file;
}

// ── the client side: Feishu delivering events and clicks through the load balancer ───────────

async function deliver(path: '/feishu/events' | '/feishu/card', envelope: unknown, pair?: string): Promise<{ status: number; body: string; backend?: string } | undefined> {
  const r = signedRequest(envelope, SECRETS, new Date());
  const headers: Record<string, string> = pair ? { ...r.headers, 'x-ha-pair': pair } : r.headers;
  try {
    const res = await fetch(lb.url + path, { method: 'POST', body: r.payload, headers, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text(), backend: res.headers.get('x-ha-backend') ?? undefined };
  } catch {
    return undefined; // reset or timed out: not acknowledged
  }
}

const events: Ev[] = [];
const races: Race[] = [];
let serial = 0;
let pairs = 0;

function newEvent(kind: Kind, chatId: string, sender: Person, text: (tag: string) => string): Ev {
  const n = ++serial;
  const tag = `H${String(n).padStart(4, '0')}x`;
  const eventId = `ev_ha_${SEED}_${n}`;
  const messageId = `om_ha_${SEED}_${n}`;
  const envelope = textMessage(SECRETS, new Date(), { chatId, sender, text: text(tag), people: PEOPLE, eventId, messageId }) as unknown as Record<string, unknown>;
  const ev: Ev = { kind, tag, chatId, eventId, messageId, envelope, acked: false, deliveries: 0 };
  events.push(ev);
  return ev;
}

/** Delivers the event twice, to two different instances: at once (racing) or one after the other. */
async function send(ev: Ev): Promise<void> {
  const pair = `p${++pairs}`;
  const one = async () => {
    ev.deliveries++;
    const r = await deliver('/feishu/events', ev.envelope, pair);
    if (r?.status === 200) ev.acked = true;
  };
  if (R.chance(0.5)) await Promise.all([one(), one()]);
  else {
    await one();
    await one();
  }
}

/** Cards at the fake platform: message id, chat, title. */
function cardsAtFake(): Array<{ messageId: string; chatId: string; title: string; itemId: number }> {
  return fake.sent
    .filter((s) => s.msgType === 'interactive' && s.kind === 'create')
    .map((s) => {
      const title = fake.card(s.messageId).header.title.content;
      return { messageId: s.messageId, chatId: s.target, title, itemId: Number(/#(\d+)/.exec(title)?.[1] ?? 0) };
    });
}

/** Two clicks of the button's owner on one card, to two instances at the same moment. */
async function race(): Promise<void> {
  const cards = cardsAtFake();
  if (cards.length === 0) return;
  const card = R.pick(cards);
  const buttons = buttonsOf(fake.card(card.messageId));
  const confirm = buttons.find((b) => b.label === '确认对接');
  const answer = buttons.find((b) => b.label === '回复');
  const target = confirm ?? answer;
  if (!target) return;
  const actor = [A, B, C].find((p) => target.value.for === `feishu:${p.openId}`) ?? B;
  const r: Race = { itemId: card.itemId, messageId: card.messageId, actor, action: confirm ? 'confirm' : 'reply', answers: [] };
  races.push(r);
  const pair = `c${++pairs}`;
  const click = async () => {
    const env = cardClick(SECRETS, new Date(), {
      operator: actor,
      chatId: card.chatId,
      messageId: card.messageId,
      value: target.value,
      name: target.name,
      ...(target.form ? { form: { answer: `卡片答复 ${card.itemId}` } } : {}),
    });
    const res = await deliver('/feishu/card', env, pair);
    const a: Answer = { acked: res?.status === 200, backend: res?.backend };
    if (a.acked) {
      const toast = (JSON.parse(res!.body) as { toast?: { type: string; content: string } }).toast;
      a.toast = toast?.content;
      a.toastType = toast?.type;
    }
    r.answers.push(a);
  };
  await Promise.all([click(), click()]);
}

/** One seeded action against the instances. */
async function act(): Promise<void> {
  const chatId = R.pick(CHATS);
  const roll = R.next();
  if (roll < 0.2) return send(newEvent('ask', chatId, A, (t) => `@{ou_bot} /反馈 @{ou_bob} 接口${t}什么时候好？ 紧急`));
  if (roll < 0.25) return send(newEvent('ask', chatId, A, (t) => `@{ou_bot} /反馈 @{ou_carol} 文档${t}在哪里？`));
  if (roll < 0.42) return send(newEvent('req', chatId, A, (t) => `@{ou_bot} /需求 联调${t} 协作:@{ou_bob} @{ou_carol} 截止:+3d`));
  if (roll < 0.52) {
    const asks = cardsAtFake().filter((c) => c.title.includes('【反馈】'));
    if (asks.length === 0) return;
    const a = R.pick(asks);
    return send(newEvent('reply', a.chatId, B, (t) => `@{ou_bot} /回复 #${a.itemId} 答复${t}`));
  }
  if (roll < 0.6) return send(newEvent('chatter', chatId, C, (t) => `大家辛苦了 ${t}`));
  if (roll < 0.64) return send(newEvent('unknown', chatId, C, (t) => `@{ou_bot} 你好呀 ${t}`));
  if (roll < 0.72) {
    // Feishu retries what was not acknowledged, and now and then re-delivers what was.
    const pool = events.filter((e) => !e.acked);
    const ev = pool.length ? R.pick(pool) : events.length ? R.pick(events) : undefined;
    if (ev) await send(ev);
    return;
  }
  return race();
}

/** Runs actions (up to 4 in flight) until `stop` resolves. */
async function stream(stop: Promise<unknown>): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const inflight = new Set<Promise<void>>();
  while (!stopped) {
    while (inflight.size >= 4) await Promise.race(inflight);
    const p: Promise<void> = act().finally(() => inflight.delete(p));
    inflight.add(p);
    await new Promise((r) => setTimeout(r, R.int(5, 60)));
  }
  await Promise.allSettled(inflight);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function redeliverUnacked(): Promise<void> {
  for (const ev of events.filter((e) => !e.acked)) await send(ev);
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe(`three instances on one PostgreSQL database (seed ${SEED})`, () => {
  it('share the work: every event acted on once, every message sent once and in order, one winner per click race, every due reminder fired once', async () => {
    const t0 = performance.now();
    const configFile = writeConfig();
    const used = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const port = await freePort(() => {
        let p: number;
        do p = R.int(20_000, 30_000);
        while (used.has(p));
        return p;
      });
      used.add(port);
      ports.push(port);
    }
    lb = await new RoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`)).start();
    const logs: string[] = [];
    const runs = ports.map(() => 0);
    const starts: number[] = [];
    const ids = ports.map((_, i) => `ha-${i + 1}`);
    const start = async (i: number) => {
      const logFile = join(dir, `${ids[i]}-run-${++runs[i]!}.log`);
      logs.push(logFile);
      const s = await ServerProcess.start({
        entry,
        configFile,
        dbFile: join(dir, 'unused.db'),
        port: ports[i]!,
        logFile,
        env: { GROUPFLOW_DB_URL: dbUrl, GROUPFLOW_INSTANCE_ID: ids[i]! },
      });
      servers[i] = s;
      starts.push(s.readyMs);
    };
    const db = new pg.Client({ connectionString: dbUrl });
    try {
      // The three start together: migrations are applied once, under the lock, by whoever comes first.
      await Promise.all(ports.map((_, i) => start(i)));
      await db.connect();
      const q = async <T>(sql: string, ...p: unknown[]) => (await db.query(sql, p)).rows as T[];
      const n = async (sql: string, ...p: unknown[]) => (await q<{ n: number }>(sql, ...p))[0]!.n;
      // The journal is found wherever this version keeps it (schema drizzle, or beside the tables).
      const journals = await q<{ schema: string }>(`select schemaname as schema from pg_tables where tablename = '__drizzle_migrations'`);
      expect(journals).toHaveLength(1);
      expect(await n(`select count(*) as n from "${journals[0]!.schema}".__drizzle_migrations`)).toBe(
        (JSON.parse(readFileSync(join(REPO_ROOT, 'migrations/pg/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length,
      );
      expect(await n(`select count(*) as n from pg_tables where schemaname = 'public' and tablename in ('items', 'outbox', 'inbound_events', 'leases')`)).toBe(4);
      expect(await n(`select count(*) as n from instances`)).toBe(INSTANCES);

      // Which instances hold chats' send leases, sampled while the load runs: the sending is shared.
      const leaseOwners = new Map<string, number>();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const r of await q<{ owner: string }>(`select owner from leases where name like 'outbox:%'`)) leaseOwners.set(r.owner, (leaseOwners.get(r.owner) ?? 0) + 1);
          await sleep(200);
        }
      })();

      // Load on all three; then one is killed mid-load and the stream goes on without it. It comes
      // back as a new instance (a new name, as a replacement pod would): what the dead one had
      // claimed — events it acknowledged but had not acted on, the chats it was sending — is
      // taken over by the others once its claims and leases expire.
      let killedAtRequest = 0;
      const victim = R.int(0, INSTANCES - 1);
      const dead = ids[victim]!;
      const killAt = R.int(4000, 7000);
      await stream(
        sleep(killAt - 1500)
          .then(() => (slowSends = true))
          .then(() => sleep(1500))
          .then(() => {
            killedAtRequest = fake.requests.length;
            return servers[victim]!.kill9();
          })
          .then(() => (slowSends = false))
          .then(() => sleep(R.int(3000, 5000)))
          .then(() => {
            ids[victim] = `${dead}-b`;
            return start(victim);
          })
          .then(() => sleep(3000)),
      );
      const afterKill = events.length;

      // A rolling restart under load: SIGTERM one instance, start it again, then the next.
      const exits: Array<number | null> = [];
      await stream(
        (async () => {
          for (let i = 0; i < INSTANCES; i++) {
            await sleep(R.int(1000, 2500));
            exits.push((await servers[i]!.terminate()).code);
            await start(i);
          }
          await sleep(2000);
        })(),
      );
      expect(exits).toEqual([0, 0, 0]);

      // The end: what was not acknowledged is delivered again; every open question is answered so
      // the reminders come to rest; then wait until inbound, outbox and due reminders are done.
      await redeliverUnacked();
      await sleep(2500);
      await waitUntil(async () => (await n(`select count(*) as n from inbound_events where status = 'pending'`)) === 0, 45_000, 'inbound events');
      const open = await q<{ id: number; chatId: string; asked: string }>(
        `select i.id, i.chat_id as "chatId", p.user_id as asked from items i join item_people p on p.item_id = i.id and p.role = 'asked'
         where i.kind = 'ask' and i.state = 'waiting'`,
      );
      for (const a of open) {
        const who = [A, B, C].find((p) => a.asked === `feishu:${p.openId}`)!;
        await send(newEvent('reply', a.chatId.replace(/^feishu:/, ''), who, (t) => `@{ou_bot} /回复 #${a.id} 收尾${t}`));
      }
      await redeliverUnacked();
      expect(events.filter((e) => !e.acked).map((e) => e.tag)).toEqual([]);
      const quiet = async () =>
        (await n(`select count(*) as n from inbound_events where status = 'pending'`)) === 0 &&
        (await n(`select count(*) as n from outbox where status = 'pending'`)) === 0 &&
        (await n(`select count(*) as n from reminders where status = 'pending' and fire_at <= $1`, Date.now() + 3000)) === 0;
      await waitUntil(quiet, 45_000, 'the instances to settle');
      const quietAt = Date.now();
      sampling = false;
      await sampler;
      const finalExits = await Promise.all(servers.map((s) => s!.terminate()));
      servers.length = 0;
      expect(finalExits.map((e) => e.code)).toEqual([0, 0, 0]);
      // A clean stop leaves the list; the killed one stays until it is long dead.
      expect((await q<{ id: string }>(`select id from instances`)).map((r) => r.id)).toEqual([dead]);
      expect(leaseOwners.size).toBeGreaterThanOrEqual(2);

      // ── assertions ──────────────────────────────────────────────────────────────────────

      // Events: stored once, processed once, acted on once.
      const stored = new Map((await q<{ eventId: string; status: string }>(`select event_id as "eventId", status from inbound_events where event_id like 'ev_ha_%'`)).map((r) => [r.eventId, r.status]));
      const outbox = await q<OutboxRow>(
        `select id, created_at as "createdAt", chat_id as "chatId", status, body, reply_to as "replyTo", urgent, platform_message_id as "platformMessageId" from outbox order by id`,
      );
      const items = await q<{ id: number; title: string; parentId: number | null }>(`select id, title, parent_id as "parentId" from items`);
      const replyAudits = (await q<{ detail: string }>(`select detail from audit where action = 'reply'`)).map((r) => r.detail);
      const wrong: string[] = [];
      for (const ev of events) {
        if (stored.get(ev.eventId) !== 'done') wrong.push(`${ev.tag} ${ev.kind}: inbound ${stored.get(ev.eventId)}`);
        const replies = outbox.filter((r) => r.replyTo === ev.messageId);
        const mine = items.filter((i) => i.title.includes(ev.tag));
        // A question gets a reply only to say which request it was filed under (the group's only
        // open one) or that it was not (several open): that depends on the chat at that moment.
        const attachNote = ev.kind === 'ask' ? replies.filter((r) => /已归入|未归入需求/.test(r.body)).length : 0;
        const expected = { ask: [attachNote, 1], req: [1, 1], reply: [1, 0], chatter: [0, 0], unknown: [1, 0] }[ev.kind];
        if (replies.length !== expected[0] || mine.length !== expected[1]) wrong.push(`${ev.tag} ${ev.kind}: ${replies.length} replies, ${mine.length} items (want ${expected[0]}, ${expected[1]})`);
        if (ev.kind === 'ask' && attachNote > 1) wrong.push(`${ev.tag} ask: ${attachNote} notes on its request`);
        if (ev.kind === 'ask' && mine[0]?.parentId != null && attachNote !== 1) wrong.push(`${ev.tag} ask: filed under #${mine[0].parentId} without saying so`);
        if (ev.kind === 'reply') {
          const applied = replyAudits.filter((d) => d.includes(ev.tag)).length;
          if (applied > 1) wrong.push(`${ev.tag} reply applied ${applied} times`);
        }
      }
      expect(wrong).toEqual([]);
      expect(items.length).toBe(events.filter((e) => e.kind === 'ask' || e.kind === 'req').length);
      expect(await n(`select count(*) as n from inbound_events where status != 'done'`)).toBe(0);

      // Click races: one winner each. Both clicks of a pair may be refused (the item had moved on);
      // never both applied, never applied twice. Both answers may say success, on one instance or
      // two: the same person's same click, moments after it took effect, gets the success it had.
      const audits = await q<{ itemId: number; actorId: string; action: string }>(`select item_id as "itemId", actor_id as "actorId", action from audit where action in ('confirm', 'reply')`);
      const times = (itemId: number, actorId: string, action: string) => audits.filter((x) => x.itemId === itemId && x.actorId === actorId && x.action === action).length;
      const twice = audits.filter((x) => times(x.itemId, x.actorId, x.action) > 1 || (x.action === 'reply' && audits.filter((y) => y.itemId === x.itemId && y.action === 'reply').length > 1));
      expect(twice).toEqual([]);
      const raceWrong: string[] = [];
      let won = 0;
      const loserToasts = new Map<string, number>();
      let split = 0;
      for (const r of races) {
        const acked = r.answers.filter((a) => a.acked);
        const ok = acked.filter((a) => a.toastType === 'success');
        if (acked.length === 2 && new Set(acked.map((a) => a.backend)).size === 2) split++;
        if (acked.some((a) => a.toastType !== 'success' && a.toastType !== 'error')) raceWrong.push(`#${r.itemId} ${r.action}: toast ${JSON.stringify(acked)}`);
        if (ok.length === 0) continue;
        won++;
        const applied = times(r.itemId, `feishu:${r.actor.openId}`, r.action);
        if (applied !== 1) raceWrong.push(`#${r.itemId} ${r.action}: won but ${applied} audit rows`);
        for (const a of acked.filter((x) => x.toastType !== 'success')) {
          const kind = (a.toast ?? '').split('：')[0]!;
          loserToasts.set(kind, (loserToasts.get(kind) ?? 0) + 1);
        }
      }
      expect(raceWrong).toEqual([]);
      expect(won).toBeGreaterThan(0);

      // Outbound: every row sent; at the platform each message once, with its row's content.
      expect(outbox.filter((r) => r.status !== 'sent').map((r) => `${r.id}:${r.status}`)).toEqual([]);
      const isUpdate = (r: OutboxRow) => (JSON.parse(r.body) as { update?: boolean }).update === true;
      const onlyFor = (r: OutboxRow) => (JSON.parse(r.body) as { onlyFor?: string }).onlyFor;
      // Replies only the asker sees go through Feishu's ephemeral API, which takes no uuid: each
      // reaches its person at least once.
      for (const r of outbox.filter((x) => onlyFor(x))) {
        const card = ephemeralCard({ platform: 'feishu', chatId: r.chatId, body: JSON.parse(r.body) as Outbound['body'] })!;
        expect(fake.ephemerals.some((e) => e.openId === card.openId && JSON.stringify(e.card) === JSON.stringify(card.card)), `whisper row ${r.id}`).toBe(true);
      }
      const messages = outbox.filter((r) => !isUpdate(r) && !onlyFor(r));
      const uuids = fake.sent.map((s) => s.uuid);
      expect(new Set(uuids).size).toBe(uuids.length);
      expect(new Set(uuids)).toEqual(new Set(messages.map(idempotencyKey)));
      const content = (r: OutboxRow) => renderOutbound({ platform: 'feishu', chatId: r.chatId, body: JSON.parse(r.body) as Outbound['body'], urgent: r.urgent === 1 }).content;
      const byUuid = new Map(fake.sent.map((s) => [s.uuid, s]));
      for (const r of messages) {
        const at = byUuid.get(idempotencyKey(r))!;
        expect(at.content, `row ${r.id}`).toBe(content(r));
        expect(r.platformMessageId, `row ${r.id}`).toBe(at.messageId);
      }
      for (const r of outbox.filter(isUpdate)) {
        expect(fake.patches.some((p) => p.messageId === r.platformMessageId && p.content === content(r)), `update row ${r.id}`).toBe(true);
      }
      // Every call that reached the platform more often than rows ask for it is a row the killed
      // instance had under way: one call before the kill, one after it, by whoever took the chat
      // over. Any other excess — a uuid the platform had to de-duplicate, a card update or a
      // whisper shown twice — means two instances sent one chat at once.
      const wanted = new Map<string, number>();
      const want = (key: string) => wanted.set(key, (wanted.get(key) ?? 0) + 1);
      for (const r of messages) want(`send ${idempotencyKey(r)}`);
      for (const r of outbox.filter(isUpdate)) want(`patch ${r.platformMessageId} ${content(r)}`);
      for (const r of outbox.filter((x) => onlyFor(x))) {
        const card = ephemeralCard({ platform: 'feishu', chatId: r.chatId, body: JSON.parse(r.body) as Outbound['body'] })!;
        want(`whisper ${card.openId} ${JSON.stringify(card.card)}`);
      }
      const calls = new Map<string, number[]>();
      fake.requests.forEach((r, i) => {
        const key =
          r.method === 'POST' && r.path.startsWith('/open-apis/im/v1/messages')
            ? `send ${String(r.body.uuid)}`
            : r.method === 'PATCH'
              ? `patch ${r.path.split('/').pop()} ${String(r.body.content)}`
              : r.path === '/open-apis/ephemeral/v1/send'
                ? `whisper ${String(r.body.open_id)} ${JSON.stringify(r.body.card)}`
                : undefined;
        if (key) calls.set(key, [...(calls.get(key) ?? []), i]);
      });
      const excess = [...calls].filter(([k, at]) => at.length > (wanted.get(k) ?? 0));
      const unexplained = excess.filter(([k, at]) => at.length !== (wanted.get(k) ?? 0) + 1 || !at.some((i) => i < killedAtRequest) || !at.some((i) => i >= killedAtRequest));
      expect(unexplained.map(([k, at]) => `${k.slice(0, 80)}… at ${at.join(',')} (wanted ${wanted.get(k) ?? 0})`)).toEqual([]);
      const rawResends = excess.length;

      // Order: each chat's messages reached the platform in outbox id order, whichever instance sent them.
      const rowByUuid = new Map(messages.map((r) => [idempotencyKey(r), r]));
      const lastId = new Map<string, number>();
      const disorder: string[] = [];
      for (const s of fake.sent) {
        const r = rowByUuid.get(s.uuid!)!;
        const before = lastId.get(r.chatId) ?? 0;
        if (r.id < before) disorder.push(`${r.chatId}: row ${r.id} after row ${before}`);
        lastId.set(r.chatId, Math.max(before, r.id));
      }
      expect(disorder).toEqual([]);
      const chatsUsed = new Set(messages.map((r) => r.chatId)).size;

      // Reminders: every due one fired or was cancelled; each firing is one message, sent once.
      expect(await q(`select key, fire_at from reminders where status = 'pending' and fire_at <= $1`, quietAt)).toEqual([]);
      const fired = await q<{ itemId: number; chatId: string; firedAt: number; key: string }>(
        `select item_id as "itemId", chat_id as "chatId", fired_at as "firedAt", key from reminders where status = 'fired' and item_id is not null`,
      );
      expect(fired.length).toBeGreaterThan(0);
      const reminderRows = outbox.filter((r) => (JSON.parse(r.body) as { text?: string }).text?.includes('协作提醒'));
      const firings = new Map<string, typeof fired>();
      for (const f of fired) firings.set(`${f.chatId}@${f.firedAt}`, [...(firings.get(`${f.chatId}@${f.firedAt}`) ?? []), f]);
      for (const [k, group] of firings) {
        const [chatId, at] = k.split('@') as [string, string];
        const msgs = reminderRows.filter((r) => r.chatId === chatId && r.createdAt === Number(at));
        expect(msgs.length, `reminder firing ${k}`).toBe(1);
        const text = (JSON.parse(msgs[0]!.body) as { text: string }).text;
        for (const f of group) expect(text, f.key).toContain(`#${f.itemId}`);
      }
      expect(reminderRows.length).toBe(firings.size);
      const atFake = fake.sent.filter((s) => s.msgType === 'text' && s.content.includes('协作提醒')).map((s) => s.content);
      for (const itemId of new Set(fired.map((f) => f.itemId))) {
        const got = atFake.filter((t) => new RegExp(`#${itemId}\\D`).test(t)).length;
        const firedFor = new Set(fired.filter((f) => f.itemId === itemId).map((f) => `${f.chatId}@${f.firedAt}`)).size;
        expect(got, `reminders of #${itemId}`).toBe(firedFor);
      }

      // The work was shared: every instance stored events and sent messages.
      const sentBy = logs.map((f) => readFileSync(f, 'utf8'));
      const lines = sentBy
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lb.served.every((k) => k > 0)).toBe(true);
      const warnings = new Map<string, number>();
      for (const l of lines.filter((x) => x.level === 40)) warnings.set(l.msg, (warnings.get(l.msg) ?? 0) + 1);
      const recovered = lines.filter((l) => l.msg === 'recovered inbound events another instance had not acted on').length;

      console.log(
        `[ha] seed=${SEED} instances=${INSTANCES} killed=ha-${victim + 1} after ${killAt} ms (events before it came back: ${afterKill}) starts=${starts.join('/')} ms ` +
          `events=${events.length} (deliveries ${events.reduce((s, e) => s + e.deliveries, 0)}, refused by a down instance ${lb.refused}) served=${lb.served.join('/')} ` +
          `lease holders seen=${[...leaseOwners.keys()].sort().join(',')} recovery sweeps that took over events=${recovered} ` +
          `races=${races.length} (won ${won}, on two instances ${split}; losers told ${JSON.stringify(Object.fromEntries(loserToasts))}) ` +
          `warnings=${JSON.stringify(Object.fromEntries(warnings))} outbox=${outbox.length} in ${chatsUsed} chats raw resends=${rawResends} ` +
          `reminders fired=${fired.length} in ${firings.size} messages ${Math.round(performance.now() - t0)} ms`,
      );
    } catch (err) {
      keepDir = true;
      throw err;
    } finally {
      await db.end().catch(() => undefined);
    }
  }, 240_000);
});

describe('an instance that dies between a command and its inbound row being marked done', () => {
  // What a kill -9 leaves behind when it lands after the command committed and before the event
  // was marked done: the command's rows are there, the event still pending, claimed by the dead
  // instance. Produced deterministically: instance A stores the event as acceptEvent does and runs
  // it through the handler the processing runs, then stops; instance B, once A's claim has
  // expired, recovers the event and must not run the command again.
  it('another instance takes the event over without acting on it twice', async () => {
    const url = urlOf(WINDOW_DB);
    const boot = (instanceId: string, at: number) =>
      createRuntime(
        parseConfig({
          log: { level: 'silent' },
          database: { url, instanceId },
          platforms: {
            sandbox: { enabled: false },
            feishu: { enabled: true, appId: SECRETS.appId, appSecret: 's', encryptKey: SECRETS.encryptKey, verificationToken: SECRETS.verificationToken, domain: fake.url },
          },
        }),
        { clock: new FakeClock(new Date(at)), log: pino({ level: 'silent' }), extraModules: [(core) => createFeishu(core, { timeoutMs: 2000 })] },
      );
    const env = textMessage(SECRETS, new Date(MONDAY_10AM), { chatId: 'oc_ha_window', sender: A, text: '@{ou_bot} /需求 接管窗口W1x 协作:@{ou_bob} 截止:2027-03-31', people: PEOPLE });
    const payload = JSON.stringify(env);
    const items = (rt: Awaited<ReturnType<typeof boot>>) => (rt.db.$client.prepare(`select count(*) as n from items where title like '%W1x%'`).get() as { n: number }).n;
    const t0 = new Date(MONDAY_10AM).getTime();
    const a = await boot('w-a', t0);
    try {
      expect(a.inbound.accept('feishu', env.header.event_id, payload)).toBe(true);
      await (a.platforms.get('feishu') as FeishuPlatform).receiver.process(payload);
      expect(items(a)).toBe(1);
    } finally {
      await a.close();
    }
    // While A's claim holds, B leaves the event alone (A might still be acting on it).
    const early = await boot('w-b', t0 + 5000);
    try {
      expect(await early.inbound.recover()).toBe(0);
    } finally {
      await early.close();
    }
    const b = await boot('w-b', t0 + 31_000);
    try {
      expect(await b.inbound.recover()).toBe(1);
      expect(items(b)).toBe(1);
    } finally {
      await b.close();
    }
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const { rows } = await check.query<{ status: string }>(`select status from inbound_events where event_id = $1`, [env.header.event_id]);
      expect(rows).toEqual([{ status: 'done' }]);
    } finally {
      await check.end();
    }
  });
});

describe('a click Feishu delivers twice, under two event ids, to two instances', () => {
  // The second delivery of a click must get the first one's success: the person clicked once,
  // and an error toast would tell them it failed. The instance that applied it remembers the
  // answer; another one finds the same person's same action in the audit, moments old.
  it('is applied once, and both instances answer the second delivery with its success', async () => {
    const url = urlOf(CLICK_DB);
    const one = await FeishuBot.create({ level: 'silent', config: { database: { url, instanceId: 'click-a' } } });
    const two = await FeishuBot.create({ level: 'silent', secrets: one.secrets, config: { database: { url, instanceId: 'click-b' } } });
    try {
      await one.says(A, '@{ou_bot} /需求 重复点击D1x 协作:@{ou_bob} 截止:2027-03-31', 'oc_ha_click');
      await one.deliverAll();
      const card = one.fake.sent.find((x) => x.msgType === 'interactive' && fakeTitle(one, x.messageId).includes('D1x'))!;
      const b = buttonsOf(one.fake.card(card.messageId)).find((x) => x.label === '确认对接')!;
      const click = async (bot: FeishuBot) => {
        const env = cardClick(one.secrets, one.clock.now(), { operator: B, chatId: 'oc_ha_click', messageId: card.messageId, value: b.value, name: b.name });
        return (JSON.parse((await bot.push('/feishu/card', env)).body) as { toast?: { type: string; content: string } }).toast;
      };
      expect((await click(one))?.type).toBe('success');
      // Delivered again to the instance that applied it: the same success.
      expect((await click(one))?.type).toBe('success');
      // Delivered again to the other one: the same success, nothing applied again.
      expect(await click(two)).toMatchObject({ type: 'success', content: expect.stringMatching(/^确认成功/) as unknown });
      // Long after, a click from that card is what it is: already done.
      one.clock.advance(60_000);
      two.clock.advance(60_000);
      expect(await click(two)).toMatchObject({ type: 'error', content: expect.stringMatching(/^已处理/) as unknown });
      expect(one.count(`select count(*) as n from audit where action = 'confirm' and item_id = (select id from items where title like '%D1x%')`)).toBe(1);
    } finally {
      await two.close();
      await one.close();
    }
  });
});

function fakeTitle(bot: FeishuBot, messageId: string): string {
  return bot.fake.card(messageId).header.title.content;
}
