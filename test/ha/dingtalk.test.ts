// The DingTalk leg of the several-instances proof, smaller than the Feishu one (instances.test.ts):
// three instances of the compiled bundle on one fresh PostgreSQL database, each with its own port
// and instance id, DingTalk in HTTP callback mode against the fake DingTalk OpenAPI (behind a
// proxy that records every call in arrival order and, just before the kill, answers sends late so
// the kill lands after DingTalk acted), and the round-robin proxy in front of the three. A seeded
// stream of signed robot messages across four groups — /需求 with 截止, /反馈 questions, /回复,
// chatter to the bot — each delivered twice to two different instances (half the time both at
// once); confirm clicks on request cards sent twice to two instances at once. Mid-load one
// instance is killed with SIGKILL; the stream goes on, what was not acknowledged is delivered
// again, and the instance comes back under a new id. At the end:
//   - every acknowledged message acted on exactly once (items, replies, reply audits per message);
//   - every outbox row sent; each card created once per outTrackId at DingTalk, every text row
//     posted; a text posted twice is allowed only where the killed instance had it in flight (one
//     call before the kill, one after) — DingTalk's robot text sends take no idempotency key
//     (see test/resilience/platform-faults.test.ts) — and such texts are reported;
//   - each group's messages reached DingTalk in outbox id order;
//   - each racing pair of clicks applied at most once (one audit row), and at least one applied.
// Seed: HA_DT_SEED=<n> (printed). Child logs: the temp directory printed on failure (or with HA_DT_KEEP=1).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../../src/domain/chat.ts';
import { renderText } from '../../src/platforms/dingtalk/dingtalk.render.ts';
import { idempotencyKey } from '../../src/scheduler/dispatcher.ts';
import { FakeDingtalk } from '../fakes/dingtalk.fake.ts';
import { A, B, C, CLIENT_ID, cardCallback, cardSign, type Harness, type Person, robotMessage, robotSign, SECRET, slotParams, TEMPLATE } from '../platforms/dingtalk/harness.ts';
import { FaultProxy } from '../resilience/support/fault-proxy.ts';
import { rng, seedFor } from '../resilience/support/prng.ts';
import { buildBundle, freePort, REPO_ROOT, ServerProcess } from '../resilience/support/server-process.ts';
import { RoundRobinProxy } from './round-robin.ts';

const SEED = seedFor('HA_DT');
const R = rng(SEED);
const INSTANCES = 3;
const GROUPS = Array.from({ length: 4 }, (_, i) => `cidHaDt${i + 1}==`);
const ADMIN_URL = process.env.GROUPFLOW_TEST_PG_URL ?? process.env.GROUPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = `gf_ha_dt_${SEED.toString(36)}_${process.pid}`;
/** Robot messages the stream sends (first deliveries; re-deliveries come on top). */
const MESSAGES = 150;

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Kind = 'ask' | 'req' | 'reply' | 'chatter';

interface Msg {
  kind: Kind;
  tag: string;
  group: string;
  msgId: string;
  raw: string;
  acked: boolean;
  deliveries: number;
}

interface Race {
  outTrackId: string;
  itemId: number;
  actor: Person;
  answers: Array<{ acked: boolean; backend?: string; notice?: string }>;
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

/** A call that reached the fake DingTalk, in arrival order. */
interface Call {
  i: number;
  path: string;
  query: string;
  body: Record<string, unknown>;
}

let dir: string;
let fake: FakeDingtalk;
let apiProxy: FaultProxy;
let lb: RoundRobinProxy;
let admin: pg.Client;
let dbUrl: string;
let dbCreated = false;
/** HA_DT_KEEP=1 keeps the child logs of a passing run too. */
let keepDir = process.env.HA_DT_KEEP === '1';
const servers: Array<ServerProcess | undefined> = [];
const bundleDir = join(REPO_ROOT, '.tmp', `ha-dt-dist-${process.pid}`);
let entry: string;
let slowSends = false;
const calls: Call[] = [];

const SEND_PATHS = new Set(['/robot/sendBySession', '/v1.0/robot/groupMessages/send', '/v1.0/card/instances/createAndDeliver', '/v1.0/card/instances']);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gf-ha-dt-'));
  entry = buildBundle(bundleDir);
  fake = await new FakeDingtalk().start();
  apiProxy = await new FaultProxy(fake.url).start();
  apiProxy.plan = (call) => {
    if (!SEND_PATHS.has(call.path)) return undefined;
    calls.push({ i: calls.length, path: call.path, query: call.query, body: call.body ?? {} });
    return { kind: 'delay', ms: slowSends ? R.int(300, 700) : R.int(2, 30), label: 'delay' };
  };
  admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  dbCreated = true;
  await admin.query(`create database "${DB_NAME}"`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB_NAME}`;
  dbUrl = u.toString();
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s?.kill9()));
  await lb?.stop();
  await apiProxy?.stop();
  await fake?.stop();
  if (dbCreated) await admin.query(`drop database if exists "${DB_NAME}" with (force)`).catch((err: unknown) => console.warn(`[ha-dt] could not drop ${DB_NAME}: ${String(err)}`));
  await admin?.end().catch(() => undefined);
  rmSync(bundleDir, { recursive: true, force: true });
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  else console.log(`[ha-dt] kept ${dir} for inspection`);
});

function writeConfig(): string {
  const file = join(dir, 'bot.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      server: { host: '127.0.0.1', publicUrl: lb.url },
      log: { level: 'info', pretty: false },
      scheduler: { digest: { enabled: false } },
      outbox: { baseDelayMs: 200, maxDelayMs: 2000, rateLimits: { dingtalk: { appPerSecond: 10_000, chatPerMinute: 1_000_000 } } },
      platforms: {
        sandbox: { enabled: false },
        dingtalk: { enabled: true, mode: 'http', clientId: CLIENT_ID, clientSecret: SECRET, robotCode: CLIENT_ID, cardTemplateId: TEMPLATE, apiBase: apiProxy.url, oapiBase: apiProxy.url },
      },
    }),
  );
  return file;
}

// ── DingTalk delivering robot messages and card clicks through the load balancer ─────────────

async function post(path: '/dingtalk/events' | '/dingtalk/card', raw: string, pair: string): Promise<{ status: number; body: string; backend?: string } | undefined> {
  const ts = String(Date.now());
  const headers: Record<string, string> =
    path === '/dingtalk/events'
      ? { 'content-type': 'application/json; charset=utf-8', timestamp: ts, sign: robotSign(ts) }
      : { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': ts, 'x-ddpaas-signature': cardSign(ts) };
  try {
    const res = await fetch(lb.url + path, { method: 'POST', body: raw, headers: { ...headers, 'x-ha-pair': pair }, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text(), backend: res.headers.get('x-ha-backend') ?? undefined };
  } catch {
    return undefined;
  }
}

const msgs: Msg[] = [];
const races: Race[] = [];
let serial = 0;
let pairs = 0;
/** robotMessage wants a harness only for its clock, message counter and session URLs. */
const wire = { clock: { now: () => new Date() }, msgSeq: 0, fake: { sessionUrl: (s: string) => `${apiProxy.url}/robot/sendBySession?session=${encodeURIComponent(s)}` } } as unknown as Harness;

function newMsg(kind: Kind, group: string, from: Person, text: (tag: string) => string, at: Person[] = []): Msg {
  const n = ++serial;
  const tag = `D${String(n).padStart(4, '0')}x`;
  const msgId = `msgHaDt${SEED}n${n}==`;
  const raw = JSON.stringify(robotMessage(wire, from, text(tag), { msgId, at, conversationId: group, session: `s-${group}-${from.staffId}` }));
  const m: Msg = { kind, tag, group, msgId, raw, acked: false, deliveries: 0 };
  msgs.push(m);
  return m;
}

/** Delivers the message twice, to two different instances: at once or one after the other. */
async function send(m: Msg): Promise<void> {
  const pair = `p${++pairs}`;
  const one = async () => {
    m.deliveries++;
    const r = await post('/dingtalk/events', m.raw, pair);
    if (r?.status === 200) m.acked = true;
  };
  if (R.chance(0.5)) await Promise.all([one(), one()]);
  else {
    await one();
    await one();
  }
}

const chatOf = (openSpaceId: string) => `dingtalk:${openSpaceId.replace(/^dtv1\.card\/\/IM_GROUP\./, '')}`;

/** Two clicks of a contact on their confirm card, to two instances at the same moment. */
async function race(): Promise<void> {
  const confirms = fake.cardCreates.filter((c) => c.body.cardData.cardParamMap.title?.includes('需求确认') && !races.some((r) => r.outTrackId === c.body.outTrackId));
  if (confirms.length === 0) return;
  const c = R.pick(confirms);
  const state = fake.cardState(c.body.outTrackId)!;
  if (state.btn1_visible !== 'true' || state.btn1_action !== 'confirm') return;
  const actor = [A, B, C].find((p) => Object.keys(c.body.imGroupOpenDeliverModel.atUserIds ?? {}).includes(p.staffId)) ?? B;
  const r: Race = { outTrackId: c.body.outTrackId, itemId: Number(state.btn1_item), actor, answers: [] };
  races.push(r);
  const raw = JSON.stringify(cardCallback(c.body.outTrackId, actor, slotParams(state, 'btn1')));
  const pair = `c${++pairs}`;
  const click = async () => {
    const res = await post('/dingtalk/card', raw, pair);
    const acked = res?.status === 200;
    const notice = acked ? (JSON.parse(res.body) as { userPrivateData?: { cardParamMap?: { notice?: string } } }).userPrivateData?.cardParamMap?.notice : undefined;
    r.answers.push({ acked, backend: res?.backend, notice });
  };
  await Promise.all([click(), click()]);
}

/** Open questions at DingTalk: the asker's question cards, with their item ids. */
function askCards(): Array<{ group: string; itemId: number }> {
  return fake.cardCreates
    .filter((c) => c.body.cardData.cardParamMap.title?.includes('反馈'))
    .map((c) => ({ group: chatOf(c.body.openSpaceId).replace(/^dingtalk:/, ''), itemId: Number(/#(\d+)/.exec(c.body.cardData.cardParamMap.title ?? '')?.[1] ?? 0) }))
    .filter((c) => c.itemId > 0);
}

async function act(): Promise<void> {
  const group = R.pick(GROUPS);
  const roll = R.next();
  if (roll < 0.25) return send(newMsg('ask', group, A, (t) => `/反馈 @李四 接口${t}什么时候好？`, [B]));
  if (roll < 0.5) return send(newMsg('req', group, A, (t) => `/需求 联调${t} 协作:@李四 @王五 截止:+3d`, [B, C]));
  if (roll < 0.62) {
    const asks = askCards();
    if (asks.length === 0) return;
    const a = R.pick(asks);
    return send(newMsg('reply', a.group, B, (t) => `/回复 #${a.itemId} 答复${t}`));
  }
  if (roll < 0.72) return send(newMsg('chatter', group, C, (t) => `大家辛苦了 ${t}`));
  if (roll < 0.8) {
    const pool = msgs.filter((m) => !m.acked);
    const m = pool.length ? R.pick(pool) : msgs.length ? R.pick(msgs) : undefined;
    if (m) await send(m);
    return;
  }
  return race();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs actions (up to 4 in flight) until `stop` resolves and at least `count` messages were made. */
async function stream(stop: Promise<unknown>, count: number): Promise<void> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const inflight = new Set<Promise<void>>();
  while (!stopped || serial < count) {
    while (inflight.size >= 4) await Promise.race(inflight);
    const p: Promise<void> = act().finally(() => inflight.delete(p));
    inflight.add(p);
    await sleep(R.int(5, 40));
  }
  await Promise.allSettled(inflight);
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe(`three instances with DingTalk on one PostgreSQL database (seed ${SEED})`, () => {
  it('every message acted on once, every card created once, texts resent only where the killed instance had them in flight, in order, one winner per click race', async () => {
    const t0 = performance.now();
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
    const configFile = writeConfig();
    const logs: string[] = [];
    const runs = ports.map(() => 0);
    const ids = ports.map((_, i) => `dt-${i + 1}`);
    const start = async (i: number) => {
      const logFile = join(dir, `${ids[i]}-run-${++runs[i]!}.log`);
      logs.push(logFile);
      servers[i] = await ServerProcess.start({
        entry,
        configFile,
        dbFile: join(dir, 'unused.db'),
        port: ports[i]!,
        logFile,
        env: { GROUPFLOW_DB_URL: dbUrl, GROUPFLOW_INSTANCE_ID: ids[i]! },
      });
    };
    const db = new pg.Client({ connectionString: dbUrl });
    try {
      await Promise.all(ports.map((_, i) => start(i)));
      await db.connect();
      const q = async <T>(sql: string, ...p: unknown[]) => (await db.query(sql, p)).rows as T[];
      const n = async (sql: string, ...p: unknown[]) => (await q<{ n: number }>(sql, ...p))[0]!.n;
      expect(await n(`select count(*) as n from instances`)).toBe(INSTANCES);

      // Load; one instance killed mid-load (sends answered late just before, so the kill lands
      // between DingTalk acting and the instance hearing of it); back under a new id.
      let killedAtCall = 0;
      const victim = R.int(0, INSTANCES - 1);
      const dead = ids[victim]!;
      const killAt = R.int(3000, 5000);
      await stream(
        sleep(killAt - 1200)
          .then(() => (slowSends = true))
          .then(() => sleep(1200))
          .then(() => {
            killedAtCall = calls.length;
            return servers[victim]!.kill9();
          })
          .then(() => (slowSends = false))
          .then(() => sleep(R.int(2000, 3500)))
          .then(() => {
            ids[victim] = `${dead}-b`;
            return start(victim);
          })
          .then(() => sleep(1500)),
        MESSAGES,
      );
      const afterKill = msgs.length;

      for (const m of msgs.filter((x) => !x.acked)) await send(m);
      expect(msgs.filter((m) => !m.acked).map((m) => m.tag)).toEqual([]);
      // The dead instance's claims on acknowledged messages and its send leases expire (~30 s);
      // then the others take them over.
      const quiet = async () =>
        (await n(`select count(*) as n from inbound_events where status = 'pending'`)) === 0 && (await n(`select count(*) as n from outbox where status = 'pending'`)) === 0;
      await waitUntil(quiet, 60_000, 'inbound events done and outbox drained');
      const finalExits = await Promise.all(servers.map((s) => s!.terminate()));
      servers.length = 0;
      expect(finalExits.map((e) => e.code)).toEqual([0, 0, 0]);

      // ── assertions ──────────────────────────────────────────────────────────────────────
      const stored = new Map((await q<{ eventId: string; status: string }>(`select event_id as "eventId", status from inbound_events`)).map((r) => [r.eventId, r.status]));
      const outbox = await q<OutboxRow>(
        `select id, created_at as "createdAt", chat_id as "chatId", status, body, reply_to as "replyTo", urgent, platform_message_id as "platformMessageId" from outbox order by id`,
      );
      const items = await q<{ id: number; title: string }>(`select id, title from items`);
      const replyAudits = (await q<{ detail: string }>(`select detail from audit where action = 'reply'`)).map((r) => r.detail);

      // Messages: stored once, done, acted on once.
      const wrong: string[] = [];
      const repliesByKind = new Map<Kind, Set<number>>();
      for (const m of msgs) {
        if (stored.get(m.msgId) !== 'done') wrong.push(`${m.tag} ${m.kind}: inbound ${stored.get(m.msgId)}`);
        const mine = items.filter((i) => i.title.includes(m.tag)).length;
        const wantItems = m.kind === 'ask' || m.kind === 'req' ? 1 : 0;
        if (mine !== wantItems) wrong.push(`${m.tag} ${m.kind}: ${mine} items (want ${wantItems})`);
        const replies = outbox.filter((r) => r.replyTo === m.msgId);
        // A question is answered only to say which request it was filed under (the group's only
        // open one) or that it was not (several open): that depends on the group at that moment.
        const notes = m.kind === 'ask' ? replies.filter((r) => /已归入|未归入需求/.test(r.body)).length : 0;
        if (notes > 1) wrong.push(`${m.tag} ask: ${notes} notes on its request`);
        repliesByKind.set(m.kind, (repliesByKind.get(m.kind) ?? new Set()).add(replies.length - notes));
        if (m.kind === 'reply') {
          const applied = replyAudits.filter((d) => d.includes(m.tag)).length;
          if (applied > 1) wrong.push(`${m.tag} reply applied ${applied} times`);
        }
      }
      expect(wrong).toEqual([]);
      expect(items.length).toBe(msgs.filter((m) => m.kind === 'ask' || m.kind === 'req').length);
      // A second processing of a message would add a second round of replies to it: every
      // message of a kind has the same number of replies (an /回复 may be refused, but once).
      for (const [kind, counts] of repliesByKind) expect([...counts].length, `replies to ${kind}: ${[...counts].join('/')}`).toBe(1);
      expect(await n(`select count(*) as n from inbound_events where status != 'done'`)).toBe(0);

      // Click races: never applied twice; at least one applied.
      const audits = await q<{ itemId: number; actorId: string }>(`select item_id as "itemId", actor_id as "actorId" from audit where action = 'confirm'`);
      const raceWrong: string[] = [];
      let won = 0;
      let split = 0;
      // A click arriving between DingTalk creating a card and the sending instance recording its
      // reference (for as long as a killed sender's lease holds) is answered through the outbox row
      // its outTrackId names: never "unknown card". Races lost otherwise are reported.
      const lost: string[] = [];
      for (const r of races) {
        const applied = audits.filter((a) => a.itemId === r.itemId && a.actorId === r.actor.id).length;
        if (applied > 1) raceWrong.push(`#${r.itemId} ${r.actor.staffId}: ${applied} confirm audit rows`);
        if (applied === 1) won++;
        else lost.push(`#${r.itemId}: ${JSON.stringify(r.answers.map((a) => a.notice ?? (a.acked ? 'no notice' : 'not acknowledged')))}`);
        const acked = r.answers.filter((a) => a.acked);
        if (acked.length === 2 && new Set(acked.map((a) => a.backend)).size === 2) split++;
        if (applied === 1 && !acked.some((a) => a.notice?.includes('成功'))) raceWrong.push(`#${r.itemId}: applied, but no click was told so (${JSON.stringify(acked)})`);
      }
      expect(raceWrong).toEqual([]);
      expect(lost.filter((l) => l.includes('已失效'))).toEqual([]);
      expect(races.length).toBeGreaterThan(0);
      expect(won).toBeGreaterThan(0);

      // Outbound: every row sent.
      expect(outbox.filter((r) => r.status !== 'sent').map((r) => `${r.id}:${r.status}`)).toEqual([]);
      const bodyOf = (r: OutboxRow) => JSON.parse(r.body) as Outbound['body'] & { update?: boolean };
      const updates = outbox.filter((r) => bodyOf(r).update === true);
      const messages = outbox.filter((r) => bodyOf(r).update !== true);
      // Cards (and texts that @ someone, sent as notice cards): created once, under the row's key.
      const tracks = fake.cardCreates.map((c) => c.body.outTrackId);
      expect(new Set(tracks).size).toBe(tracks.length);
      const rowByKey = new Map(messages.map((r) => [idempotencyKey(r), r]));
      expect(tracks.filter((t) => !rowByKey.has(t))).toEqual([]);
      for (const u of updates) expect(fake.cardUpdates.some((x) => x.body.outTrackId === u.platformMessageId), `update row ${u.id}`).toBe(true);

      // Texts: matched to rows by content (session webhook text, or the group send's plain text).
      const textRows = messages.filter((r) => !tracks.includes(idempotencyKey(r)));
      for (const r of textRows) expect(bodyOf(r).type, `row ${r.id} has no card at DingTalk`).toBe('text');
      const contentOf = (r: OutboxRow) => {
        const t = renderText((bodyOf(r) as { type: 'text' } & Parameters<typeof renderText>[0]), r.urgent === 1);
        return { webhook: t.webhook.text.content, plain: t.plain };
      };
      const textCalls = calls
        .filter((c) => c.path === '/robot/sendBySession' || c.path === '/v1.0/robot/groupMessages/send')
        .map((c) => ({
          i: c.i,
          content: c.path === '/robot/sendBySession' ? String((c.body.text as { content?: string } | undefined)?.content) : String((JSON.parse(String(c.body.msgParam)) as { content?: string }).content),
          session: c.path === '/robot/sendBySession',
          // Session webhooks are named after their group (see newMsg).
          chatId: c.path === '/robot/sendBySession' ? `dingtalk:${/^s-(.+)-[^-]+$/.exec(new URLSearchParams(c.query).get('session') ?? '')?.[1]}` : `dingtalk:${String(c.body.openConversationId)}`,
        }));
      // Each text row claims the earliest unclaimed call with its content; calls left over are resends.
      const claimed = new Map<number, OutboxRow>();
      const unposted: number[] = [];
      for (const r of textRows) {
        const c = contentOf(r);
        const call = textCalls.find((x) => !claimed.has(x.i) && x.chatId === r.chatId && x.content === (x.session ? c.webhook : c.plain));
        if (call) claimed.set(call.i, r);
        else unposted.push(r.id);
      }
      expect(unposted).toEqual([]);
      const resent = textCalls.filter((x) => !claimed.has(x.i));
      const unexplained = resent.filter((x) => {
        const same = textCalls.filter((y) => y.chatId === x.chatId && y.content === x.content && claimed.has(y.i));
        return !(x.i >= killedAtCall && same.some((y) => y.i < killedAtCall));
      });
      expect(unexplained.map((x) => `call ${x.i}: ${x.content.slice(0, 60)}`)).toEqual([]);

      // Order: each group's messages reached DingTalk in outbox id order.
      const firstCreate = new Map<string, number>();
      for (const c of calls) if (c.path === '/v1.0/card/instances/createAndDeliver' && !firstCreate.has(String(c.body.outTrackId))) firstCreate.set(String(c.body.outTrackId), c.i);
      const sequence: Array<{ i: number; row: OutboxRow }> = [
        ...[...firstCreate].flatMap(([k, i]) => (rowByKey.has(k) ? [{ i, row: rowByKey.get(k)! }] : [])),
        ...[...claimed].map(([i, row]) => ({ i, row })),
      ].sort((a, b) => a.i - b.i);
      const lastId = new Map<string, number>();
      const disorder: string[] = [];
      for (const { row } of sequence) {
        const before = lastId.get(row.chatId) ?? 0;
        if (row.id < before) disorder.push(`${row.chatId}: row ${row.id} after row ${before}`);
        lastId.set(row.chatId, Math.max(before, row.id));
      }
      expect(disorder).toEqual([]);

      const lines = logs
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lb.served.every((k) => k > 0)).toBe(true);
      const warnings = new Map<string, number>();
      for (const l of lines.filter((x) => x.level === 40)) warnings.set(l.msg, (warnings.get(l.msg) ?? 0) + 1);

      console.log(
        `[ha-dt] seed=${SEED} killed=${dead} after ${killAt} ms (messages by then ${afterKill}) messages=${msgs.length} ` +
          `(deliveries ${msgs.reduce((s, m) => s + m.deliveries, 0)}, refused by a down instance ${lb.refused}) served=${lb.served.join('/')} ` +
          `replies per kind=${JSON.stringify(Object.fromEntries([...repliesByKind].map(([k, v]) => [k, [...v]])))} ` +
          `races=${races.length} (won ${won}, on two instances ${split}; not applied ${JSON.stringify(lost)}) outbox=${outbox.length} (updates ${updates.length}, texts ${textRows.length}, cards ${tracks.length}) ` +
          `texts posted twice=${resent.length}${resent.length ? ` ${JSON.stringify(resent.map((x) => x.content.slice(0, 40)))}` : ''} ` +
          `warnings=${JSON.stringify(Object.fromEntries(warnings))} ${Math.round(performance.now() - t0)} ms`,
      );
    } catch (err) {
      keepDir = true;
      throw err;
    } finally {
      await db.end().catch(() => undefined);
    }
  }, 150_000);
});
