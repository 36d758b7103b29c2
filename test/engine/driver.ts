// A conversation driver that reads like the product: "A says `/需求 …`; B clicks 确认".
// It runs the real engine, database, outbox and dispatcher, with a recording platform.

import pino from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import type { Card, CardButton } from '../../src/domain/card.ts';
import type { Outbound, OutboundBody, UserRef } from '../../src/domain/chat.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { type Db, openTestDatabase } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { Engine, type ActionResult } from '../../src/engine/engine.ts';
import type { Platform, SendContext, SendResult } from '../../src/platforms/platform.ts';
import { Dispatcher } from '../../src/scheduler/dispatcher.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';

export interface Sent {
  id: string;
  msg: Outbound;
  ctx: SendContext;
}

/** A platform that records what it was asked to send and keeps cards by message id. */
export class RecordingPlatform implements Platform {
  readonly name = 'sandbox' as const;
  readonly sent: Sent[] = [];
  readonly cards = new Map<string, Card>();
  private seq = 0;
  async send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    const id = ctx.updateMessageId ?? `m${++this.seq}`;
    this.sent.push({ id, msg, ctx });
    if (msg.body.type === 'card') this.cards.set(id, msg.body.card);
    return { platformMessageId: id };
  }
}

export const CHAT = 'sandbox:g1';
export const A: UserRef = { id: 'sandbox:a', name: '张三' };
export const B: UserRef = { id: 'sandbox:b', name: '李四' };
export const C: UserRef = { id: 'sandbox:c', name: '王五' };
export const D: UserRef = { id: 'sandbox:d', name: '赵六' };
const PEOPLE = [A, B, C, D];

export class Conversation {
  readonly clock: FakeClock;
  readonly db: Db;
  readonly repo: Repo;
  readonly engine: Engine;
  readonly scheduler: Scheduler;
  readonly platform = new RecordingPlatform();
  readonly dispatcher: Dispatcher;
  private msgSeq = 0;

  constructor(start = '2026-11-23T10:00:00+08:00', config: ConfigInput = {}, db?: Db) {
    const cfg = parseConfig({ log: { level: 'silent' }, ...config });
    this.clock = new FakeClock(new Date(start));
    this.db = db ?? openTestDatabase();
    this.repo = new Repo(this.db);
    const log = pino({ level: 'silent' });
    const calendar = new WorkCalendar({ ...cfg.calendar });
    this.scheduler = new Scheduler({ repo: this.repo, config: cfg, clock: this.clock, calendar, log });
    this.engine = new Engine({ repo: this.repo, config: cfg, clock: this.clock, calendar, log, replan: (id) => this.scheduler.replan(id) });
    this.dispatcher = new Dispatcher({ repo: this.repo, platforms: new Map([['sandbox', this.platform]]), clock: this.clock, log });
    for (const u of PEOPLE) this.repo.upsertUser(u.id, u.name, 0);
  }

  /** `who` says `text` in the group (mentions as `@名字` are resolved like the sandbox does). */
  async say(who: UserRef, text: string, chatId = CHAT): Promise<Sent[]> {
    const before = this.platform.sent.length;
    const mentions: UserRef[] = [];
    const resolved = text.replace(/@(\S+?)(?=\s|$)/g, (m, name: string) => {
      const u = PEOPLE.find((x) => x.name === name);
      if (!u) return m;
      mentions.push(u);
      return `<@${u.id}>`;
    });
    this.engine.handleMessage({
      platform: 'sandbox',
      chatId,
      messageId: `u${++this.msgSeq}`,
      sender: who,
      text: resolved,
      mentions,
      mentionedBot: true,
      receivedAt: this.clock.now(),
    });
    await this.dispatcher.drain();
    return this.platform.sent.slice(before);
  }

  /** Runs the scheduler tick at the current fake time and delivers what it wrote. */
  async tick(): Promise<Sent[]> {
    const before = this.platform.sent.length;
    this.scheduler.tick();
    await this.dispatcher.drain();
    return this.platform.sent.slice(before);
  }

  /** Moves the fake clock to `t` (ISO with zone) and ticks. */
  async at(t: string): Promise<string[]> {
    this.clock.set(t);
    return this.texts(await this.tick());
  }

  pendingReminders(): Array<{ key: string; rule: string; fire_at: number }> {
    return this.db.$client.prepare(`select key, rule, fire_at from reminders where status = 'pending' order by fire_at`).all() as never;
  }

  /** The newest card whose title contains `title`, with its message id. */
  card(title: string): { id: string; card: Card } {
    const hits = [...this.platform.cards.entries()].filter(([, c]) => c.header.title.includes(title));
    const last = hits.at(-1);
    if (!last) throw new Error(`no card titled ${title}`);
    return { id: last[0], card: last[1] };
  }

  /** The card (latest version) that asks `who` to act, among cards titled `title`. */
  cardFor(title: string, who: UserRef): { id: string; card: Card } {
    const hits = [...this.platform.cards.entries()].filter(
      ([, c]) => c.header.title.includes(title) && (c.buttons.some((b) => b.for === who.id) || c.markdown.join('').includes(`<@${who.id}>`)),
    );
    const last = hits.at(-1);
    if (!last) throw new Error(`no card ${title} for ${who.name}`);
    return { id: last[0], card: last[1] };
  }

  /** `who` clicks the button labelled `label` on the card, filling `form`. */
  async click(who: UserRef, card: { id: string; card: Card }, label: string, form: Record<string, string> = {}, chatId = CHAT): Promise<ActionResult> {
    const b: CardButton | undefined = card.card.buttons.find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} on ${card.card.header.title}`);
    const r = this.engine.handleCardAction({
      platform: 'sandbox',
      chatId,
      actor: who,
      itemId: b.itemId,
      action: b.action,
      version: b.version,
      for: b.for,
      form,
      cardMessageId: card.id,
      receivedAt: this.clock.now(),
    });
    await this.dispatcher.drain();
    return r;
  }

  texts(sent: Sent[]): string[] {
    return sent.flatMap((s) => (s.msg.body.type === 'text' ? [s.msg.body.text] : []));
  }

  state(id: number): string {
    return this.repo.getItem(id)!.state;
  }

  outboxCount(): number {
    return (this.db.$client.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  }
}

export function bodyText(b: OutboundBody): string {
  return b.type === 'text' ? b.text : [b.card.header.title, ...b.card.fields.map((f) => `${f.label}:${f.value}`), ...b.card.markdown].join('\n');
}
