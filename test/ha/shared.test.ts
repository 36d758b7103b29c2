// Instances sharing one PostgreSQL database, in one process: a chat's outbox goes out through
// one instance at a time and in order, another takes over once a dead holder's lease expires,
// app-wide rates are divided among the live instances, sandbox live hints cross instances,
// and /readyz says false while the database is unreachable.

import { type ChildProcess, spawn } from 'node:child_process';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openConfigured, runMigrations, testPostgresUrl, testSchemaName, type Db } from '../../src/db/connection.ts';
import { HEARTBEAT_TTL_MS, Instances } from '../../src/db/instances.ts';
import { Notifier } from '../../src/db/notify.ts';
import { Repo } from '../../src/db/repo.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import type { Outbound } from '../../src/domain/chat.ts';
import type { Platform, SendContext, SendResult } from '../../src/platforms/platform.ts';
import { CHAT_LEASE_MS, Dispatcher } from '../../src/scheduler/dispatcher.ts';
import { RateLimiter } from '../../src/scheduler/rate-limit.ts';
import { testRuntime } from '../helpers/runtime.ts';

const url = testPostgresUrl()!;
const log = pino({ level: 'silent' });
const schema = testSchemaName();
const opened: Db[] = [];
afterAll(() => {
  for (const db of opened) db.pg?.close();
});

/** Another connection to the same schema: what a second instance has. */
function connection(): Db {
  const db = openConfigured({ file: '', url, schema });
  opened.push(db);
  return db;
}
const first = connection();
runMigrations(first);

/** Records what it was asked to send, by whom; a send can be held open until released. */
class Recorder implements Platform {
  readonly name = 'sandbox' as const;
  hold: Promise<void> | undefined;
  constructor(
    readonly by: string,
    readonly log: Array<{ by: string; text: string; key: string }>,
  ) {}
  async send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    if (this.hold) await this.hold;
    this.log.push({ by: this.by, text: msg.body.type === 'text' ? msg.body.text : '', key: ctx.idempotencyKey });
    return { platformMessageId: `m-${ctx.idempotencyKey}` };
  }
}

function instance(name: string, clock: FakeClock, sent: Array<{ by: string; text: string; key: string }>) {
  const db = connection();
  const repo = new Repo(db);
  const instances = new Instances(db, name);
  instances.heartbeat(clock.now().getTime());
  const platform = new Recorder(name, sent);
  const dispatcher = new Dispatcher({ repo, platforms: new Map([['sandbox', platform]]), clock, log, instances });
  return { db, repo, instances, platform, dispatcher };
}

const enqueue = (repo: Repo, chatId: string, text: string, at: number) =>
  repo.tx(() => repo.enqueue({ platform: 'sandbox', chatId, body: { type: 'text', text, mentions: [] } }, at));

describe('two instances on one database', () => {
  it('send each chat in order through one of them at a time; the other takes over after a dead holder lease expires', async () => {
    const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
    const sent: Array<{ by: string; text: string; key: string }> = [];
    const a = instance('a', clock, sent);
    const b = instance('b', clock, sent);
    const t = clock.now().getTime();
    for (let i = 1; i <= 5; i++) {
      enqueue(a.repo, 'sandbox:g1', `g1-${i}`, t);
      enqueue(a.repo, 'sandbox:g2', `g2-${i}`, t);
    }
    // Both drain at once: each chat goes out through exactly one instance, in id order.
    await Promise.all([a.dispatcher.drain(), b.dispatcher.drain()]);
    for (const chat of ['g1', 'g2']) {
      const rows = sent.filter((s) => s.text.startsWith(chat));
      expect(rows.map((s) => s.text)).toEqual([1, 2, 3, 4, 5].map((i) => `${chat}-${i}`));
      expect(new Set(rows.map((s) => s.by)).size).toBe(1);
    }
    expect(new Set(sent.map((s) => s.key)).size).toBe(10);

    // Instance a takes the lease of g3 and dies in the middle of a send (its lease stays).
    let release!: () => void;
    a.platform.hold = new Promise<void>((r) => (release = r));
    enqueue(a.repo, 'sandbox:g3', 'g3-1', t);
    enqueue(a.repo, 'sandbox:g3', 'g3-2', t);
    const dying = a.dispatcher.drain();
    await new Promise((r) => setTimeout(r, 50));
    expect(a.db.$client.prepare('select owner from leases where name = ?').get('outbox:sandbox:sandbox:g3')).toEqual({ owner: 'a' });
    await b.dispatcher.drain();
    expect(sent.filter((s) => s.text.startsWith('g3'))).toEqual([]); // b leaves g3 to a
    clock.advance(CHAT_LEASE_MS + 1000);
    await b.dispatcher.drain();
    expect(sent.filter((s) => s.text.startsWith('g3')).map((s) => `${s.by}:${s.text}`)).toEqual(['b:g3-1', 'b:g3-2']);
    // The dead instance's send completes late (its platform may have taken it): same key.
    release();
    await dying;
    const g3 = sent.filter((s) => s.text === 'g3-1');
    expect(new Set(g3.map((s) => s.key)).size).toBe(1);
  });

  it('divide an app-wide rate among the live instances', () => {
    const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
    const now = clock.now().getTime();
    const x = new Instances(connection(), 'rate-x');
    const y = new Instances(connection(), 'rate-y');
    const before = x.liveCount(now);
    x.heartbeat(now);
    y.heartbeat(now);
    const both = new Instances(connection(), 'rate-z').liveCount(now);
    expect(both).toBe(before + 2);
    // With N live instances each takes 1/N of the app's 50/s: 10 s of sends allow 500/N here.
    const sends = (n: number) => {
      const limiter = new RateLimiter({ sandbox: { appPerSecond: 50, chatPerMinute: 6000 } }, () => n);
      let ok = 0;
      for (let ms = 0; ms < 10_000; ms += 5) if (limiter.acquire('sandbox', `c${ms % 97}`, ms) === 0) ok++;
      return ok;
    };
    expect(sends(1)).toBeGreaterThan(480);
    expect(sends(2)).toBeLessThan(sends(1) / 2 + 20);
    expect(sends(2)).toBeGreaterThan(sends(1) / 2 - 20);
    // A silent instance stops counting.
    expect(new Instances(connection(), 'rate-w').liveCount(now + HEARTBEAT_TTL_MS + 1)).toBeLessThan(both);
  });

  it('pass sandbox live hints to the other instances, not back to the sender', async () => {
    const got: Record<string, unknown[]> = { a: [], b: [] };
    const a = new Notifier<{ n: number }>(connection(), url, 'groupflow_test_live', 'a', (m) => got.a!.push(m), log);
    const b = new Notifier<{ n: number }>(connection(), url, 'groupflow_test_live', 'b', (m) => got.b!.push(m), log);
    a.start();
    b.start();
    try {
      await expect.poll(async () => {
        a.publish({ n: 1 });
        await new Promise((r) => setTimeout(r, 50));
        return got.b!.length;
      }).toBeGreaterThan(0);
      expect(got.b![0]).toEqual({ n: 1 });
      expect(got.a).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

/**
 * A TCP relay to PostgreSQL that can be cut and restored. It runs in a child process: the bot's
 * database calls block this thread while they wait, so a relay here could never pass them on.
 */
class Relay {
  private child: ChildProcess | undefined;
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async open(port = 0): Promise<void> {
    const code = `const net = require('node:net');
      const server = net.createServer((a) => { const b = net.connect(${this.target.port}, '${this.target.host}');
        a.on('error', () => b.destroy()); b.on('error', () => a.destroy()); a.pipe(b).pipe(a); });
      server.listen(${port}, '127.0.0.1', () => console.log(server.address().port));`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', () => reject(new Error('relay exited')));
    });
  }
  async cut(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}

describe('/readyz on PostgreSQL', () => {
  it('is false while the database is unreachable, and true again once it answers', async () => {
    const u = new URL(url);
    const relay = new Relay({ host: u.hostname, port: Number(u.port || 5432) });
    await relay.open();
    const through = new URL(url);
    through.port = String(relay.port);
    const db = openConfigured({ file: '', url: through.toString(), schema });
    opened.push(db);
    const rt = await testRuntime({ db });
    try {
      expect((await rt.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      await relay.cut();
      const down = await rt.app.inject({ url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ ok: false, db: false });
      await relay.open(relay.port);
      const up = await rt.app.inject({ url: '/readyz' });
      expect(up.statusCode).toBe(200);
      expect(up.json()).toMatchObject({ ok: true, db: true, migrations: true });
    } finally {
      await relay.cut().catch(() => undefined);
      await rt.close().catch(() => undefined);
    }
  });
});
