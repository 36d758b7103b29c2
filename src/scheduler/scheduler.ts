// The scheduler: keeps each item's planned reminders in step with the item (replan), and on
// every tick fires what is due — claimed, coalesced per chat into one message, written to the
// outbox and followed up, all in one transaction — plus the daily nudge and the weekly digest.

import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { PlatformName } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import {
  type PlannedReminder,
  type ReminderRules,
  type Rule,
  type WatchedItem,
  followUp,
  planItem,
  spreadMinutes,
  stillApplies,
} from '../domain/reminders.ts';
import { parseDuration } from '../domain/when.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import type { Metrics } from '../metrics.ts';
import { items, reminders } from '../db/schema.ts';
import { reminderLine } from './lines.ts';
import { weeklyReportCard } from '../engine/queries.ts';

export type ReminderRow = typeof reminders.$inferSelect;

export interface SchedulerDeps {
  repo: Repo;
  config: Config;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  /** Starts delivery of the outbox rows a tick wrote. */
  kick?: () => void;
  metrics?: Metrics;
}

export function rulesFrom(config: Config): ReminderRules {
  const s = config.scheduler;
  return {
    headsUp: { ordinary: parseDuration(s.headsUp.ordinary)!, urgent: parseDuration(s.headsUp.urgent)! },
    urgentRepeat: parseDuration(s.urgentRepeat)!,
    escalateAfter: s.escalateAfter,
    maxPings: s.maxPings,
    deadlineDaysBefore: s.deadlineDaysBefore,
    maxOverdueDays: s.maxOverdueDays,
    morning: config.calendar.workStart,
  };
}

export function watched(i: ItemRow, parent?: ItemRow): WatchedItem {
  const milestoneAt = parent?.kind === 'request' ? parent.dueAt : null;
  return { id: i.id, chatId: i.chatId, kind: i.kind, state: i.state, urgent: i.urgent, clockAt: i.clockAt, dueAt: i.dueAt, milestoneAt };
}

export class Scheduler {
  readonly rules: ReminderRules;
  private task: ScheduledTask | undefined;
  private ticking = false;

  constructor(private readonly d: SchedulerDeps) {
    this.rules = rulesFrom(d.config);
  }

  /**
   * Re-plans an item's reminders after it changed: pending ones that no longer apply are
   * cancelled, new ones inserted (a key that already fired is never inserted again).
   * Call inside the transaction that changed the item.
   */
  replan(itemId: number, cascade = true): void {
    const found = this.d.repo.getItem(itemId);
    const item = found ? this.view(found) : undefined;
    const pending = this.d.repo.statement(`select id, key from reminders where item_id = ? and status = 'pending'`).all(itemId) as Array<{ id: number; key: string }>;
    const planned = item ? planItem(item, this.d.calendar, this.rules, this.d.clock.now()) : [];
    const keep = new Set(planned.map((p) => p.key));
    const stale = pending.filter((r) => !keep.has(r.key) && (!item || !stillApplies(item, r.key)));
    const cancel = this.d.repo.statement(`update reminders set status = 'cancelled' where id = ?`);
    for (const r of stale) cancel.run(r.id);
    if (found) for (const p of planned) this.insert(found.platform, found.chatId, found.id, p);
    // A request's deadline is its tasks' milestone.
    if (cascade && found?.kind === 'request') for (const t of this.d.repo.childItems(found.id)) if (t.kind === 'task') this.replan(t.id, false);
  }

  /** The item as the rules see it (with its request's deadline as milestone). */
  private view(i: ItemRow, parents?: Map<number, ItemRow>): WatchedItem {
    const parent = i.parentId === null ? undefined : (parents?.get(i.parentId) ?? this.d.repo.getItem(i.parentId));
    return watched(i, parent);
  }

  private insert(platform: string, chatId: string, itemId: number | null, p: PlannedReminder): void {
    this.d.repo
      .statement(
        `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) on conflict (key) do nothing`,
      )
      .run(p.key, itemId, platform, chatId, p.rule, p.round, p.fireAt.getTime(), p.urgent ? 1 : 0, this.d.clock.now().getTime());
  }

  /**
   * Fires every due reminder. Cost grows with the number of due rows (an indexed range read),
   * not with the number of open items. Returns how many reminders fired.
   */
  tick(limit = 5000): number {
    if (this.ticking) return 0;
    this.ticking = true;
    try {
      this.planPeriodic();
      let fired = 0;
      let n: number;
      do {
        n = this.d.repo.tx(() => this.fireBatch(limit));
        fired += n;
      } while (n === limit);
      if (fired) this.d.kick?.();
      return fired;
    } finally {
      this.ticking = false;
    }
  }

  private fireBatch(limit: number): number {
    const now = this.d.clock.now();
    const due = this.d.repo.db
      .select()
      .from(reminders)
      .where(and(eq(reminders.status, 'pending'), lte(reminders.fireAt, now.getTime())))
      .orderBy(asc(reminders.fireAt), asc(reminders.id))
      .limit(limit)
      .all();
    if (due.length === 0) return 0;
    // Claim: only rows still pending are ours (another instance may have fired them).
    const claimed: ReminderRow[] = [];
    const claim = this.d.repo.db.$client.prepare(`update reminders set status = 'fired', fired_at = ? where id = ? and status = 'pending'`);
    for (const r of due) if (claim.run(now.getTime(), r.id).changes === 1) claimed.push(r);
    for (const r of claimed) this.d.metrics?.remindersFired.inc({ rule: r.rule });

    const itemIds = [...new Set(claimed.flatMap((r) => (r.itemId === null ? [] : [r.itemId])))];
    const byId = new Map(
      itemIds.length ? this.d.repo.db.select().from(items).where(inArray(items.id, itemIds)).all().map((i) => [i.id, i] as const) : [],
    );
    // Per chat, one line per item: the most pressing of the rules that fired for it (missed
    // reminders from downtime arrive together and are sent once).
    const perChat = new Map<string, { platform: string; urgent: boolean; lines: Map<string, { rank: number; text: string; item?: number }> }>();
    for (const r of claimed) {
      const item = r.itemId === null ? undefined : byId.get(r.itemId);
      if (r.itemId !== null && (!item || !stillApplies(this.view(item, byId), r.key))) {
        this.d.repo.db.update(reminders).set({ status: 'cancelled' }).where(eq(reminders.id, r.id)).run();
        continue;
      }
      if (r.rule === 'digest') {
        this.postDigest(r, now);
        continue;
      }
      const line = item ? reminderLine(this.d.repo, item, r.rule as Rule, r.round, this.rules, now, this.d.config.calendar.timezone) : undefined;
      if (line) {
        const chat = perChat.get(r.chatId) ?? { platform: r.platform, urgent: false, lines: new Map() };
        chat.urgent ||= r.urgent;
        const slot = `${r.itemId}`;
        const prev = chat.lines.get(slot);
        if (!prev || line.rank > prev.rank) chat.lines.set(slot, { ...line, item: r.itemId ?? undefined });
        perChat.set(r.chatId, chat);
      }
      if (item) {
        const next = followUp(this.view(item, byId), { rule: r.rule as Rule, round: r.round, fireAt: new Date(r.fireAt) }, this.d.calendar, this.rules, now);
        if (next) this.insert(r.platform, r.chatId, item.id, next);
      }
    }
    for (const [chatId, c] of perChat) {
      const lines = [...c.lines.values()].map((l) => l.text);
      const head = c.urgent ? '【紧急】⏰ 协作提醒' : '⏰ 协作提醒';
      const text = `${head}（${lines.length} 项）\n${lines.join('\n')}`;
      const ids = [...new Set([...text.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1]!))];
      const names = this.d.repo.userNames(ids);
      this.d.repo.enqueue(
        { platform: c.platform as PlatformName, chatId, body: { type: 'text', text, mentions: ids.map((id) => ({ id, name: names.get(id) ?? id })) }, urgent: c.urgent },
        now.getTime(),
      );
    }
    return due.length;
  }

  private postDigest(r: ReminderRow, now: Date): void {
    const card = weeklyReportCard(this.d.repo, this.d.calendar, this.d.config, r.chatId, now);
    if (!card) return;
    this.d.repo.enqueue({ platform: r.platform as PlatformName, chatId: r.chatId, body: { type: 'card', card, cardKey: `digest:${r.key}` } }, now.getTime());
  }

  /** Plans the daily 17:00 nudge and the weekly digest once per day / week (keys make it idempotent). */
  private planPeriodic(): void {
    const now = this.d.clock.now();
    const cal = this.d.calendar;
    const day = cal.localDay(now);
    if (!cal.isWorkday(now)) return;
    const s = this.d.config.scheduler;
    const t = now.getTime();
    if (t >= cal.at(day, s.nudgeAt).getTime() && !this.marked(`nudge-plan:${day}`)) {
      this.d.repo.tx(() => {
        this.mark(`nudge-plan:${day}`);
        const dayStart = cal.at(day, '00:00').getTime();
        const stale = this.d.repo.db.$client
          .prepare(
            `select id, platform, chat_id as chatId from items where kind = 'task' and state = 'doing'
             and coalesce(json_extract(data, '$.lastUpdateAt'), created_at) < ?`,
          )
          .all(dayStart) as Array<{ id: number; platform: string; chatId: string }>;
        for (const s2 of stale) {
          this.insert(s2.platform, s2.chatId, s2.id, { key: `n:${s2.id}:${day}`, rule: 'nudge', round: 0, fireAt: now, urgent: false });
        }
      });
    }
    const isoWeekday = ((new Date(cal.at(day, '12:00')).getUTCDay() + 6) % 7) + 1;
    if (s.digest.enabled && isoWeekday === s.digest.weekday && t >= cal.at(day, s.digest.at).getTime() && !this.marked(`digest-plan:${day}`)) {
      this.d.repo.tx(() => {
        this.mark(`digest-plan:${day}`);
        const chats = this.d.repo.db.$client
          .prepare(`select distinct platform, chat_id as chatId from items where state not in ('closed','cancelled','done','logged','confirmed','answered')`)
          .all() as Array<{ platform: string; chatId: string }>;
        for (const c of chats) {
          // Spread over the half hour after the digest time, off :00 and :30.
          const at = new Date(cal.at(day, s.digest.at).getTime() + spreadMinutes(c.chatId) * 60_000);
          this.insert(c.platform, c.chatId, null, { key: `w:${c.chatId}:${day}`, rule: 'digest', round: 0, fireAt: at > now ? at : now, urgent: false });
        }
      });
    }
  }

  private marked(key: string): boolean {
    return this.d.repo.db.$client.prepare('select 1 from reminders where key = ?').get(key) !== undefined;
  }

  private mark(key: string): void {
    this.insert('system', 'system', null, { key, rule: 'nudge', round: 0, fireAt: new Date(0), urgent: false });
    this.d.repo.db.$client.prepare(`update reminders set status = 'marker' where key = ?`).run(key);
  }

  /** What will fire when (ops view). */
  upcoming(chatId?: string, limit = 200): ReminderRow[] {
    const q = this.d.repo.db.select().from(reminders);
    const where = chatId ? and(eq(reminders.status, 'pending'), eq(reminders.chatId, chatId)) : eq(reminders.status, 'pending');
    return q.where(where).orderBy(asc(reminders.fireAt)).limit(limit).all();
  }

  start(): void {
    if (!this.d.config.scheduler.enabled || this.task) return;
    this.task = cron.schedule(this.d.config.scheduler.cron, () => {
      try {
        this.tick();
      } catch (err) {
        this.d.log.error({ err }, 'scheduler tick failed');
      }
    });
  }

  stop(): void {
    void this.task?.stop();
    this.task = undefined;
  }
}
