// Part 2: commands end to end per second, in one process: parse → transition → audit → outbox,
// each one SQLite transaction, through rt.engine.handleMessage with a realistic mix, on a
// database file. Two loops:
//  - "engine": commands back to back; delivery of the outbox waits until the loop ends;
//  - "with delivery": the event loop turns after every command, so the outbox dispatcher delivers
//    (to the sandbox platform, a local table) in between, as in the running server.
// With a PostgreSQL URL the same loops run there; several copies of this part may run at once
// on one database (the instances of a cluster), each with its own `tag`: its chats, message ids
// and counts are its own.
// `startAt` (ms since epoch) makes copies begin their measured loops together, after their own
// start-up and warm-up, so that their rates add up over the same seconds.
// Usage: node --import tsx bench/parts/commands.ts <dbFile> <seconds> [postgres://… [tag [startAt]]]

import { rmSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.ts';
import type { InboundMessage, UserRef } from '../../src/domain/chat.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { sendLog, sendResult } from '../lib/child.ts';

const [dbFile = '/tmp/groupflow-bench-commands.db', secondsArg = '3', pgUrl, tag = 'x', startAtArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const MAX_COMMANDS = 200_000;

const ZS: UserRef = { id: 'sandbox:zhangsan', name: '张三' };
const LS: UserRef = { id: 'sandbox:lisi', name: '李四' };
const WW: UserRef = { id: 'sandbox:wangwu', name: '王五' };
const at = (u: UserRef) => `<@${u.id}>`;

/** The default run keeps the seeded sandbox group; a tagged copy gets a group of its own. */
const CHAT = tag === 'x' ? 'sandbox:g1' : `sandbox:g-${tag}`;

let seq = 0;
function message(chatId: string, sender: UserRef, text: string, mentions: UserRef[]): InboundMessage {
  return { platform: 'sandbox', chatId, messageId: `bench-${tag}-${++seq}`, sender, text, mentions, mentionedBot: true, receivedAt: new Date() };
}

/** One cycle of the mix: ask and answer, a request, a task and its progress (5 commands). */
let lastId: { get: (...params: unknown[]) => unknown } | undefined;
function* cycle(rt: Runtime, chatId: string): Generator<InboundMessage, void, void> {
  lastId ??= rt.db.$client.prepare('select max(id) as id from items where chat_id = ?');
  const last = () => (lastId!.get(chatId) as { id: number }).id;
  yield message(chatId, ZS, `/反馈 ${at(LS)} 接口文档什么时候能给？联调排期要用`, [LS]);
  const ask = last();
  yield message(chatId, LS, `/回复 #${ask} 周三前提供，先看 v1 草稿`, []);
  yield message(chatId, ZS, `/需求 接口联调 协作:${at(LS)} ${at(WW)} 截止:周五 优先级:高 标准:联调通过并出测试报告`, [LS, WW]);
  yield message(chatId, ZS, `/任务 完成登录接口 ${at(WW)} 截止:周五 标准:通过联调`, [WW]);
  const task = last();
  yield message(chatId, WW, `/进度 #${task} 60% risk:第三方接口延迟 plan:先用模拟数据联调`, []);
}

async function loop(rt: Runtime, name: string, yieldEach: boolean): Promise<{ commands: number; seconds: number; perSecond: number }> {
  const chats = [CHAT];
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  outer: for (let c = 0; ; c++) {
    for (const msg of cycle(rt, chats[c % chats.length]!)) {
      rt.engine.handleMessage(msg);
      n++;
      if (yieldEach) await new Promise((r) => setImmediate(r));
      if (n >= MAX_COMMANDS) break outer;
    }
    if (performance.now() >= end) break;
  }
  const s = (performance.now() - t0) / 1000;
  sendLog(`  commands (${name}): ${n} in ${s.toFixed(2)} s = ${Math.round(n / s)}/s`);
  return { commands: n, seconds: Number(s.toFixed(3)), perSecond: Math.round(n / s) };
}

for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
const config = parseConfig({
  database: { file: dbFile, url: pgUrl, instanceId: `bench-${tag}` },
  log: { level: 'info', pretty: false },
  platforms: { sandbox: { enabled: true } },
});
const rt = await createRuntime(config);
rt.dispatcher.start();
const sql = rt.db.$client;
sql.prepare('insert into sandbox_chats (id, name) values (?, ?) on conflict do nothing').run(CHAT, `压测群 ${tag}`);

// Warm-up (JIT, page cache), not counted.
for (let i = 0; i < 2; i++) for (const msg of cycle(rt, CHAT)) rt.engine.handleMessage(msg);
await rt.dispatcher.drain();

if (startAtArg) await new Promise((r) => setTimeout(r, Math.max(0, Number(startAtArg) - Date.now())));
const engineOnly = await loop(rt, 'engine, delivery after', false);
await rt.dispatcher.drain();
await rt.dispatcher.idle();
const withDelivery = await loop(rt, 'with delivery interleaved', true);
await rt.dispatcher.drain();
await rt.dispatcher.idle();

const count = (q: string) => (sql.prepare(q).get() as { n: number }).n;
const checks = {
  items: Object.fromEntries(
    (sql.prepare('select kind, state, count(*) as n from items where chat_id = ? group by kind, state').all(CHAT) as Array<{ kind: string; state: string; n: number }>).map((r) => [`${r.kind}:${r.state}`, r.n]),
  ),
  audit: count(`select count(*) as n from audit where item_id in (select id from items where chat_id = '${CHAT}')`),
  outbox: count(`select count(*) as n from outbox where chat_id = '${CHAT}'`),
  outboxPending: count(`select count(*) as n from outbox where status = 'pending' and chat_id = '${CHAT}'`),
  /** Replies that say a command failed: must be 0 for the mix to mean anything. */
  errorReplies: count(`select count(*) as n from outbox where chat_id = '${CHAT}' and (body like '%❌%' or body like '%找不到%' or body like '%内部错误%')`),
};
await rt.close();
await sendResult({ engineOnly, withDelivery, mix: ['/反馈 @李四 …', '/回复 #N …', '/需求 … 协作:@李四 @王五 …', '/任务 … @王五 …', '/进度 #N 60% …'], checks });
process.exit(0);
