// Engine.handleMessage's fast path for plain chatter: no write transaction (nothing written once
// the chat and people are known), no dispatcher wake-up; commands, answers in a question's
// thread and messages to the bot still claim the message and act once. Real SQLite file.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import type { InboundMessage, UserRef } from '../../src/domain/chat.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { type Db, openDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { Engine } from '../../src/engine/engine.ts';

const CHAT = 'sandbox:g1';
const A: UserRef = { id: 'sandbox:a', name: '张三' };
const B: UserRef = { id: 'sandbox:b', name: '李四' };

let dir: string;
let db: Db;
let repo: Repo;
let engine: Engine;
let kicks: number;
let seq = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gf-fast-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  runMigrations(db);
  repo = new Repo(db);
  const config = parseConfig({ log: { level: 'silent' } });
  const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
  kicks = 0;
  engine = new Engine({
    repo,
    config,
    clock,
    calendar: new WorkCalendar({ ...config.calendar }),
    log: pino({ level: 'silent' }),
    onOutbox: () => kicks++,
  });
});

afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

function msg(sender: UserRef, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return { platform: 'sandbox', chatId: CHAT, chatName: '项目群', messageId: `m${++seq}`, sender, text, mentions: [], mentionedBot: false, receivedAt: new Date(), ...extra };
}

/** Rows changed on this connection so far (any write, even one rolled back, counts). */
const changes = () => (db.$client.prepare('select total_changes() as n').get() as { n: number }).n;
const count = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;

describe('plain chatter', () => {
  it('remembers a new chat and person once, then writes nothing and never wakes the dispatcher', () => {
    engine.handleMessage(msg(A, '大家中午吃什么'));
    expect(repo.getChat(CHAT)?.name).toBe('项目群');
    expect(repo.userNames([A.id]).get(A.id)).toBe('张三');
    const after = changes();
    for (let i = 0; i < 20; i++) engine.handleMessage(msg(A, `闲聊 ${i}`));
    expect(changes()).toBe(after);
    expect(count(`select count(*) as n from inbound_events`)).toBe(0);
    expect(count(`select count(*) as n from outbox`)).toBe(0);
    expect(kicks).toBe(0);
    // A rename is still learned.
    engine.handleMessage(msg({ id: A.id, name: '张三丰' }, '改名了', { chatName: '新群名' }));
    expect(repo.userNames([A.id]).get(A.id)).toBe('张三丰');
    expect(repo.getChat(CHAT)?.name).toBe('新群名');
  });

  it('the same message twice, or a command delivered twice, acts once', () => {
    const chatter = msg(A, '收到');
    engine.handleMessage(chatter);
    engine.handleMessage(chatter);
    expect(count(`select count(*) as n from outbox`)).toBe(0);

    const help = msg(A, '/帮助', { mentionedBot: true });
    engine.handleMessage(help);
    expect(kicks).toBe(1);
    const replies = count(`select count(*) as n from outbox`);
    expect(replies).toBe(1);
    engine.handleMessage(help);
    expect(count(`select count(*) as n from outbox`)).toBe(replies);
    // Nothing new to deliver: the dispatcher is not woken.
    expect(kicks).toBe(1);
    expect(count(`select count(*) as n from handled where key = 'sandbox:${help.messageId}'`)).toBe(1);
  });

  it('a message to the bot, or an answer in a waiting question card’s thread, is not chatter', () => {
    engine.handleMessage(msg(A, '你好', { mentionedBot: true }));
    expect(count(`select count(*) as n from outbox`)).toBe(1);
    expect(kicks).toBe(1);

    engine.handleMessage(msg(A, `/反馈 <@${B.id}> 接口文档什么时候给？`, { mentions: [B], mentionedBot: true }));
    const ask = repo.listItems(CHAT).find((i) => i.kind === 'ask')!;
    expect(ask.state).toBe('waiting');
    // The question card as the platform stored it.
    repo.saveCardRef(`item:${ask.id}`, 'sandbox', CHAT, ask.id, 'card-1');
    const answer = msg(B, '周三前提供', { replyTo: 'card-1' });
    engine.handleMessage(answer);
    expect(repo.getItem(ask.id)!.state).toBe('answered');
    const rows = count(`select count(*) as n from outbox`);
    // Delivered again: claimed, so nothing more happens.
    engine.handleMessage(answer);
    expect(count(`select count(*) as n from outbox`)).toBe(rows);
    // A reply in the thread of an answered question is chatter again.
    const kicked = kicks;
    engine.handleMessage(msg(B, '好的', { replyTo: 'card-1' }));
    expect(kicks).toBe(kicked);
  });

  it('a command that looks a name up still finds a person this very message taught us', () => {
    engine.handleMessage(msg(A, '/反馈 @赵六 测试环境地址？', { mentionedBot: true, mentions: [{ id: 'sandbox:z', name: '赵六' }] }));
    expect(repo.listItems(CHAT).filter((i) => i.kind === 'ask')).toHaveLength(1);
  });
});
