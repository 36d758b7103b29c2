// Part 3: scheduler tick time against N open items with 1,000 reminders due.
// For each N the database file is built in bulk (multi-row INSERTs with prepared statements in
// large transactions, synchronous=OFF while loading — this bench's own file only), then
// scheduler.tick() is timed several times, re-arming the same 1,000 due reminders before each
// (and removing what the previous tick wrote: follow-up reminders and outbox rows), then letting
// the checkpoint thread run for 300 ms, as it does between a bot's ticks. The file is synced to
// disk after loading, before any tick is timed.
// Every open item also has a pending reminder in the future, as real items do.
// With a PostgreSQL URL each size is built in a schema of its own there (and ANALYZEd after the
// load, as autovacuum would have done by the time a database has grown to that size).
// Usage: node --import tsx bench/parts/scheduler.ts <dir> <sizes, e.g. 10000,100000,1000000> <runs> [postgres://…]

import { closeSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlClient } from '../../src/db/driver/types.ts';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createRuntime, type PlatformModule } from '../../src/runtime.ts';
import { sendLog, sendResult } from '../lib/child.ts';
import { median, round } from '../lib/stats.ts';

const [dir = '/tmp', sizesArg = '10000,100000,1000000', runsArg = '5', pgUrl] = process.argv.slice(2);
const sizes = sizesArg.split(',').map(Number);
const RUNS = Number(runsArg);
const DUE = 1000;
const DUE_CHATS = 100;
let sent = 0;

/** Tuesday 2026-11-24 10:00 in Shanghai: a working day, before the 17:00 nudge planning. */
const NOW = new Date('2026-11-24T10:00:00+08:00').getTime();
const HOUR = 3600_000;

const USERS = 200;
const user = (i: number) => `feishu:ou_user${i % USERS}`;

/** Inserts rows through one prepared multi-row INSERT (plus one for the remainder). */
function bulk(sql: SqlClient, table: string, cols: string[], count: number, row: (i: number) => unknown[], per = 200): void {
  const tuple = `(${cols.map(() => '?').join(',')})`;
  const stmt = (n: number) => sql.prepare(`insert into ${table} (${cols.join(',')}) values ${Array.from({ length: n }, () => tuple).join(',')}`);
  const full = stmt(per);
  const args: unknown[] = [];
  const txSize = 50_000;
  for (let start = 0; start < count; start += txSize) {
    const end = Math.min(count, start + txSize);
    sql.transaction(() => {
      let i = start;
      for (; i + per <= end; i += per) {
        args.length = 0;
        for (let k = i; k < i + per; k++) for (const v of row(k)) args.push(v);
        full.run(args);
      }
      if (i < end) {
        args.length = 0;
        for (let k = i; k < end; k++) for (const v of row(k)) args.push(v);
        stmt(end - i).run(args);
      }
    })();
  }
}

interface Item {
  kind: string;
  state: string;
  clockAt: number | null;
  dueAt: number | null;
  role: string;
}

/** Item i (1-based id); the DUE asks that are due sit at evenly spaced ids with i % 4 === 0. */
function itemOf(id: number, dueIds: Set<number>): Item {
  const future = NOW + (24 + (id % 240)) * HOUR;
  if (dueIds.has(id)) return { kind: 'ask', state: 'waiting', clockAt: NOW - HOUR, dueAt: null, role: 'asked' };
  switch (id % 4) {
    case 0:
      return { kind: 'ask', state: 'waiting', clockAt: future, dueAt: null, role: 'asked' };
    case 1:
      return { kind: 'task', state: 'doing', clockAt: null, dueAt: future, role: 'owner' };
    case 2:
      return { kind: 'request', state: 'pending', clockAt: future, dueAt: future + 48 * HOUR, role: 'contact' };
    default:
      return { kind: 'issue', state: 'open', clockAt: future, dueAt: null, role: 'owner' };
  }
}

async function one(n: number) {
  const file = join(dir, `scheduler-${n}.db`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const clock = new FakeClock(new Date(NOW));
  // The weekly digest on Wednesdays: its planning is measured on Wednesday 09:35, before any of
  // the items' own reminders (24 h and more after NOW) fall due, so that the figure is the
  // digest's and not that of the days of reminders a Monday six days later would also fire.
  let url: string | undefined;
  if (pgUrl) {
    const schema = `bench_scheduler_${n}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`create schema ${schema}`);
    await admin.end();
    url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  const config = parseConfig({ database: { file, url }, log: { level: 'warn' }, platforms: { sandbox: { enabled: false } }, scheduler: { digest: { weekday: 3 } } });
  // Delivery is not part of a tick: a stub Feishu platform accepts whatever the outbox sends.
  const stub = (): PlatformModule => ({ platform: { name: 'feishu', send: async () => ({ platformMessageId: `om_${++sent}` }) } });
  const rt = await createRuntime(config, { clock, log: pino({ level: 'warn' }), extraModules: [stub] });
  const sql = rt.db.$client;
  const sqlite = rt.db.sqlite;

  const chats = Math.max(DUE_CHATS, Math.round(n / 1000));
  // The due items: evenly spaced asks (ids ≡ 0 mod 4), spread over DUE_CHATS chats.
  const step = Math.floor(n / DUE);
  const dueIndex = new Map<number, number>(Array.from({ length: DUE }, (_, k) => [Math.max(4, k * step - ((k * step) % 4)), k]));
  if (dueIndex.size !== DUE) throw new Error('due ids collide');
  const dueIds = new Set(dueIndex.keys());
  const chatOf = (id: number, due: boolean) => `feishu:oc_chat${due ? dueIndex.get(id)! % DUE_CHATS : id % chats}`;

  const t0 = performance.now();
  sqlite?.pragma('synchronous = OFF');
  bulk(sql, 'users', ['id', 'name', 'updated_at'], USERS, (i) => [user(i), `用户${i}`, NOW]);
  bulk(sql, 'chats', ['id', 'platform', 'name', 'created_at'], chats, (i) => [`feishu:oc_chat${i}`, 'feishu', `项目群 ${i}`, NOW]);
  bulk(
    sql,
    'items',
    ['id', 'kind', 'platform', 'chat_id', 'title', 'state', 'initiator_id', 'owner_id', 'priority', 'urgent', 'due_at', 'clock_at', 'data', 'version', 'created_at', 'updated_at'],
    n,
    (k) => {
      const id = k + 1;
      const it = itemOf(id, dueIds);
      const owner = it.role === 'owner' ? user(id + 1) : null;
      return [id, it.kind, 'feishu', chatOf(id, dueIds.has(id)), `接口联调事项 ${id}`, it.state, user(id), owner, 'normal', 0, it.dueAt, it.clockAt, '{"pct":0}', 1, NOW - 48 * HOUR, NOW - 48 * HOUR];
    },
  );
  bulk(sql, 'item_people', ['item_id', 'user_id', 'role', 'status', 'updated_at'], n, (k) => {
    const id = k + 1;
    return [id, user(id + 1), itemOf(id, dueIds).role, 'pending', NOW - 48 * HOUR];
  });
  // One pending future reminder per open item (other than the due ones)…
  const reminderOf = (id: number, it: Item): [string, string, number] =>
    it.clockAt !== null ? [`c:${id}:${it.state}:${it.clockAt}:ping:1`, 'ping', it.clockAt] : [`d:${id}:${it.dueAt}:overdue:1`, 'overdue', it.dueAt!];
  const cols = ['key', 'item_id', 'platform', 'chat_id', 'rule', 'round', 'fire_at', 'urgent', 'status', 'created_at'];
  bulk(sql, 'reminders', cols, n, (k) => {
    const id = k + 1;
    const it = itemOf(id, dueIds);
    const [key, rule, at] = dueIds.has(id) ? [`c:${id}:future:headsup`, 'headsup', NOW + 200 * HOUR] : reminderOf(id, it);
    return [key, id, 'feishu', chatOf(id, dueIds.has(id)), rule, 1, at, 0, 'pending', NOW - 48 * HOUR];
  });
  // …and the DUE reminders that are due now, inserted last so their ids form one range.
  const firstDue = (sql.prepare('select coalesce(max(id), 0) + 1 as id from reminders').get() as { id: number }).id;
  const due = [...dueIds];
  bulk(sql, 'reminders', cols, DUE, (k) => {
    const id = due[k]!;
    const it = itemOf(id, dueIds);
    return [`c:${id}:${it.state}:${it.clockAt}:ping:1`, id, 'feishu', chatOf(id, true), 'ping', 1, it.clockAt, 0, 'pending', NOW - 48 * HOUR];
  });
  const lastLoaded = firstDue + DUE - 1;
  if (sqlite) {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma('synchronous = NORMAL');
    // Loaded with synchronous=OFF, the file's pages (0.5 GB at 1M items) are still being written
    // back by the kernel for the next ~30 s: wait for that here, so that the write-back of the bulk
    // load does not land in the ticks measured below (a bot's database grows over months).
    const fd = openSync(file, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } else {
    sql.exec('analyze');
    // Ids were given by the load: the sequences go on after them.
    for (const t of ['items', 'item_people', 'reminders', 'outbox']) sql.prepare(`select setval(pg_get_serial_sequence('${t}', 'id'), (select coalesce(max(id), 1) from ${t})) as v`).get();
  }
  const buildS = (performance.now() - t0) / 1000;
  sendLog(`  scheduler ${n.toLocaleString('en-US')} items: built in ${buildS.toFixed(1)} s`);

  const rearm = sql.prepare(`update reminders set status = 'pending', fired_at = null where id between ? and ?`);
  const dropNew = sql.prepare('delete from reminders where id > ?');
  const dropOutbox = sql.prepare('delete from outbox');
  const timeTick = async (at: number) => {
    sql.transaction(() => {
      rearm.run(firstDue, lastLoaded);
      dropNew.run(lastLoaded);
      dropOutbox.run();
    })();
    // A bot's ticks are a minute apart, and its checkpoint thread runs in between: give it a few
    // intervals, so that the tick meets the WAL as it would (not the re-arming's frames).
    await new Promise((r) => setTimeout(r, 300));
    clock.set(new Date(at));
    const t = performance.now();
    const fired = rt.scheduler.tick();
    const ms = performance.now() - t;
    return { ms, fired, outbox: (sql.prepare('select count(*) as n from outbox').get() as { n: number }).n };
  };
  const ticks = [];
  for (let r = 0; r <= RUNS; r++) ticks.push(await timeTick(NOW + r * 60_000));
  ticks.shift(); // the first run is a warm-up
  for (const t of ticks) if (t.fired !== DUE) throw new Error(`tick fired ${t.fired}, expected ${DUE}`);
  const ms = median(ticks.map((t) => t.ms));
  sendLog(`  scheduler ${n.toLocaleString('en-US')} items: tick ${ms.toFixed(1)} ms (median of ${RUNS}; ${ticks[0]!.fired} fired → ${ticks[0]!.outbox} outbox rows)`);

  // Once a day the first tick after 17:00 plans the nudges, and once a week (here Wednesday) after
  // 09:30 the digest. Measured here for information.
  let periodic: { nudgePlanMs: number; digestPlanMs: number } | undefined;
  if (process.env.BENCH_PERIODIC === String(n)) {
    const nudge = (await timeTick(new Date('2026-11-24T17:05:00+08:00').getTime())).ms;
    const digest = (await timeTick(new Date('2026-11-25T09:35:00+08:00').getTime())).ms;
    periodic = { nudgePlanMs: round(nudge, 1), digestPlanMs: round(digest, 1) };
    sendLog(`  scheduler ${n.toLocaleString('en-US')} items: first tick after 17:00 (nudge planning) ${nudge.toFixed(0)} ms, Wednesday 09:35 (digest planning) ${digest.toFixed(0)} ms`);
  }
  await rt.close();
  const bytes = sqlite ? [file, `${file}-wal`].reduce((a, f) => a + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0) : 0;
  return { items: n, file, dbBytes: bytes, buildS: round(buildS, 1), tickMs: round(ms, 2), runsMs: ticks.map((t) => round(t.ms, 2)), fired: DUE, outboxRows: ticks[0]!.outbox, periodic };
}

const results = [];
for (const n of sizes) results.push(await one(n));
await sendResult(results);
process.exit(0);
