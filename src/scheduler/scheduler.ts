// The scheduler: keeps each item's planned reminders in step with the item (replan), and on
// every tick fires what is due — claimed, coalesced per chat into one message, written to the
// outbox and followed up, all in one transaction — plus the daily nudge and the weekly digest.

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
import { clockSet } from '../domain/clocks.ts';
import { parseClockDuration } from '../domain/working-time.ts';
import type { ItemBrief, Repo } from '../db/repo.ts';
import type { Metrics } from '../metrics.ts';
import { type DueReminder, type ReminderRow, ReminderStore } from '../db/reminders.ts';
import { type ItemLookup, reminderLine } from './lines.ts';
import { stageReminderLine } from './stage-lines.ts';
import { requestOf } from './escalation.ts';
import { leaderOf } from '../engine/leaders.ts';
import { weeklyReportCard } from '../engine/queries.ts';
import { chatFor } from '../engine/links.ts';
import { MONTHLY_LINK_DAYS, monthlyMentions, monthlySummaryCard } from '../engine/monthly.ts';
import { lastWorkingDayOf, monthOf } from '../domain/month.ts';

export type { ReminderRow } from '../db/reminders.ts';

/**
 * Keys of an item's reminders start with one of these and `<item id>:` (clock, deadline,
 * milestone, nudge, stage; see domain/reminders.ts).
 */
const ITEM_KEY_PREFIXES = ['c:', 'd:', 'm:', 'n:', 's:'];
/** Marker statuses: planning in progress (cursor in chat_id), planning done. */
const PLANNING = 'planning';
const DONE = 'marker';
/** Marker of the one replan of every item's reminders under the working-time clock rules. */
const WORKING_TIME_REPLAN = 'replan:working-time';

export interface SchedulerDeps {
  repo: Repo;
  config: Config;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  /** Starts delivery of the outbox rows a tick wrote. */
  kick?: () => void;
  metrics?: Metrics;
  /** Nudges planned per tick at most (whole chats; default 2,000). */
  planChunk?: number;
  /** A signed download URL of a chat's month archive, valid `ttlMs` (the monthly summary links it). */
  monthArchiveLink?: (target: { chatId: string; month: string }, ttlMs: number) => string;
}

export function rulesFrom(config: Config, calendar: WorkCalendar): ReminderRules {
  const s = config.scheduler;
  const lead = (text: string) => parseClockDuration(text, calendar.workdayMs)!.ms;
  return {
    clocks: clockSet(config.clocks, calendar.workdayMs),
    headsUp: { ordinary: lead(s.headsUp.ordinary), urgent: lead(s.headsUp.urgent) },
    urgentRepeat: parseDuration(s.urgentRepeat)!,
    escalateAfter: s.escalateAfter,
    leaderAfter: s.leaderAfter,
    maxPings: s.maxPings,
    deadlineDaysBefore: s.deadlineDaysBefore,
    maxOverdueDays: s.maxOverdueDays,
    morning: config.calendar.workStart,
  };
}

/** `data` is there when planning (a full row): a milestone's 重大 mark; a tick's briefs carry none and need none. */
export function watched(i: ItemBrief & { data?: Record<string, unknown> }, parent?: ItemBrief): WatchedItem {
  const milestoneAt = parent?.kind === 'request' ? parent.dueAt : null;
  const major = i.kind === 'milestone' && i.data?.major === true;
  const parentEnded = parent?.state === 'closed' || parent?.state === 'cancelled';
  return { id: i.id, chatId: i.chatId, kind: i.kind, state: i.state, urgent: i.urgent, clockAt: i.clockAt, dueAt: i.dueAt, milestoneAt, stage: i.stage, stageDueAt: i.stageDueAt, major, parentEnded };
}

export class Scheduler {
  readonly rules: ReminderRules;
  private task: ScheduledTask | undefined;
  private ticking = false;
  private readonly planChunk: number;
  /** The local day whose nudge and digest planning is complete. */
  private periodicDone = '';
  private readonly reminders: ReminderStore;

  constructor(private readonly d: SchedulerDeps) {
    this.reminders = new ReminderStore(d.repo);
    this.rules = rulesFrom(d.config, d.calendar);
    this.planChunk = Math.max(1, d.planChunk ?? 2000);
  }

  /**
   * Re-plans an item's reminders after it changed: pending ones that no longer apply are
   * cancelled, new ones inserted (a key that already fired is never inserted again).
   * Call inside the transaction that changed the item.
   */
  replan(itemId: number, cascade = true, retime = false): void {
    const found = this.d.repo.getItem(itemId);
    const item = found ? this.view(found) : undefined;
    const pending = ITEM_KEY_PREFIXES.flatMap((p) => this.reminders.pendingByKeyPrefix(`${p}${itemId}:`));
    const planned = item ? planItem(item, this.d.calendar, this.rules, this.d.clock.now()) : [];
    const keep = new Set(planned.map((p) => p.key));
    const stale = pending.filter((r) => !keep.has(r.key) && (!item || !stillApplies(item, r.key)));
    for (const r of stale) this.reminders.cancel(r.id);
    // Keys are unique per firing: a reminder already pending is left as it is (no insert to refuse).
    const have = new Set(pending.map((r) => r.key));
    if (found) for (const p of planned) if (!have.has(p.key)) this.insert(found.platform, found.chatId, found.id, p);
    // Under changed rules the same firing may fall at another time (a heads-up now counted in
    // working time): move it, keeping its key, so it still fires once.
    if (retime) {
      const when = new Map(planned.map((p) => [p.key, p.fireAt.getTime()]));
      for (const r of pending) {
        const t = when.get(r.key);
        if (t !== undefined && t !== r.fireAt) this.reminders.move(r.id, t);
      }
    }
    // A request's deadline is its tasks' milestone; its milestones end with it.
    if (cascade && found?.kind === 'request') for (const t of this.d.repo.childItems(found.id)) if (t.kind === 'task' || t.kind === 'milestone') this.replan(t.id, false);
  }

  /**
   * Once per database (a marker row), after the migrations at start-up: re-plans the reminders of
   * every item that has pending ones or a live clock or deadline under the working-time rules.
   * Returns how many items were re-planned (0 once done: restarts and other instances skip it).
   */
  replanOnce(): number {
    return this.d.repo.tx(() => {
      if (this.reminders.exists(WORKING_TIME_REPLAN)) return 0;
      const ids = this.reminders.replanCandidates();
      for (const id of ids) this.replan(id, false, true);
      this.setMarker(WORKING_TIME_REPLAN, DONE, 'system', this.d.clock.now().getTime());
      return ids.length;
    });
  }

  /** The item as the rules see it (with its request's deadline as milestone). */
  private view(i: ItemBrief & { data?: Record<string, unknown> }, lookup: Pick<ItemLookup, 'getItem'> = this.d.repo): WatchedItem {
    const parent = i.parentId === null ? undefined : lookup.getItem(i.parentId);
    return watched(i, parent);
  }

  private insert(platform: string, chatId: string, itemId: number | null, p: PlannedReminder): void {
    this.insertMany([{ platform, chatId, itemId, p }]);
  }

  /** Inserts reminders (a key already planned or fired is skipped), many rows per statement (a tick's follow-ups). */
  private insertMany(rows: ReadonlyArray<{ platform: string; chatId: string; itemId: number | null; p: PlannedReminder }>): void {
    if (rows.length === 0) return;
    this.reminders.insert(
      rows.map(({ platform, chatId, itemId, p }) => ({ key: p.key, itemId, platform, chatId, rule: p.rule, round: p.round, fireAt: p.fireAt.getTime(), urgent: p.urgent })),
      this.d.clock.now().getTime(),
    );
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

  /**
   * Claims up to `limit` due reminders in one statement (only rows still pending are ours:
   * another instance may have fired them; both run in BEGIN IMMEDIATE transactions, so one
   * claims first and the other sees them fired), reads their items and people in two queries,
   * and writes one outbox message per chat.
   */
  private fireBatch(limit: number): number {
    const now = this.d.clock.now();
    const t = now.getTime();
    const claimed = this.reminders.claimDue(t, limit);
    if (claimed.length === 0) return 0;
    claimed.sort((a, b) => a.fireAt - b.fireAt || a.id - b.id);
    if (this.d.metrics) {
      const perRule = new Map<string, number>();
      for (const r of claimed) perRule.set(r.rule, (perRule.get(r.rule) ?? 0) + 1);
      for (const [rule, n] of perRule) this.d.metrics.remindersFired.inc({ rule }, n);
    }

    const lookup = this.lookup(claimed);
    const cancelled: number[] = [];
    const followUps: Array<{ platform: string; chatId: string; itemId: number; p: PlannedReminder }> = [];
    // Per chat, one line per item: the most pressing of the rules that fired for it (missed
    // reminders from downtime arrive together and are sent once).
    const perChat = new Map<string, { platform: string; urgent: boolean; lines: Map<string, { rank: number; text: string; item?: number }> }>();
    for (const r of claimed) {
      const item = r.itemId === null ? undefined : lookup.getItem(r.itemId);
      const view = item ? this.view(item, lookup) : undefined;
      if (r.itemId !== null && (!view || !stillApplies(view, r.key))) {
        cancelled.push(r.id);
        continue;
      }
      if (r.rule === 'digest') {
        this.postDigest(r, now);
        continue;
      }
      if (r.rule === 'monthly') {
        this.postMonthly(r, now);
        continue;
      }
      const line = !item
        ? undefined
        : r.rule === 'stage'
          ? stageReminderLine(this.d.repo, this.d.config, item.id, r.round, this.rules, now)
          : reminderLine(lookup, item, r.rule as Rule, r.round, this.rules, now, this.d.config.calendar.timezone, this.d.calendar);
      if (line) {
        // In linked groups a line goes to the group of the person it asks to act (its first @).
        const first = /<@([^<>\s]+)>/.exec(line.text)?.[1];
        const where = first ? chatFor(this.d.repo, { id: r.itemId ?? 0, chatId: r.chatId, platform: r.platform }, first) : { chatId: r.chatId, platform: r.platform };
        const chat = perChat.get(where.chatId) ?? { platform: where.platform, urgent: false, lines: new Map() };
        chat.urgent ||= r.urgent;
        // A stage clock is its own line: it may run out with the item's response clock.
        const slot = r.rule === 'stage' ? `${r.itemId}:stage` : `${r.itemId}`;
        const prev = chat.lines.get(slot);
        if (!prev || line.rank > prev.rank) chat.lines.set(slot, { ...line, item: r.itemId ?? undefined });
        perChat.set(where.chatId, chat);
      }
      if (item && view) {
        const next = followUp(view, { rule: r.rule as Rule, round: r.round, fireAt: new Date(r.fireAt) }, this.d.calendar, this.rules, now);
        if (next) followUps.push({ platform: r.platform, chatId: r.chatId, itemId: item.id, p: next });
      }
    }
    this.insertMany(followUps);
    this.reminders.cancelMany(cancelled);

    const messages = [...perChat].map(([chatId, c]) => {
      const lines = [...c.lines.values()].map((l) => l.text);
      const head = c.urgent ? '【紧急】⏰ 协作提醒' : '⏰ 协作提醒';
      const text = `${head}（${lines.length} 项）\n${lines.join('\n')}`;
      const ids = [...new Set([...text.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1]!))];
      return { chatId, c, text, ids };
    });
    const names = this.d.repo.userNames(messages.flatMap((m) => m.ids));
    for (const { chatId, c, text, ids } of messages) {
      this.d.repo.enqueue(
        { platform: c.platform as PlatformName, chatId, body: { type: 'text', text, mentions: ids.map((id) => ({ id, name: names.get(id) ?? id })) }, urgent: c.urgent },
        t,
      );
    }
    return claimed.length;
  }

  /** The items of these reminders, their requests and everyone's people, in three queries. */
  private lookup(rows: readonly DueReminder[]): ItemLookup {
    const repo = this.d.repo;
    const items = repo.itemBriefs([...new Set(rows.flatMap((r) => (r.itemId === null ? [] : [r.itemId])))]);
    const parentIds = [...new Set([...items.values()].flatMap((i) => (i.parentId !== null && !items.has(i.parentId) ? [i.parentId] : [])))];
    for (const [id, p] of repo.itemBriefs(parentIds)) items.set(id, p);
    const people = repo.peopleBriefs([...items.keys()]);
    const getItem = (id: number) => items.get(id) ?? repo.getItem(id);
    const peopleOf = (id: number) => people.get(id) ?? repo.people(id);
    // Leaders are read only when an escalation reaches them: one chat row per group per tick.
    const chats = new Map<string, { leaderId: string | null } | undefined>();
    const getChat = (id: string) => {
      if (!chats.has(id)) chats.set(id, repo.getChat(id));
      return chats.get(id);
    };
    return {
      getItem,
      people: peopleOf,
      leader: (item) => leaderOf({ getChat, people: peopleOf }, item.chatId, requestOf({ getItem }, item)),
    };
  }

  private postDigest(r: DueReminder, now: Date): void {
    const card = weeklyReportCard(this.d.repo, this.d.calendar, this.d.config, r.chatId, now);
    if (!card) return;
    this.d.repo.enqueue({ platform: r.platform as PlatformName, chatId: r.chatId, body: { type: 'card', card, cardKey: `digest:${r.key}` } }, now.getTime());
  }

  /** The month's summary card of one chat; the month is the key's last part (`mo:<chat>:<YYYY-MM>`). */
  private postMonthly(r: DueReminder, now: Date): void {
    const month = r.key.slice(r.key.lastIndexOf(':') + 1);
    const archiveUrl = this.d.monthArchiveLink?.({ chatId: r.chatId, month }, MONTHLY_LINK_DAYS * 86_400_000);
    const card = monthlySummaryCard(this.d.repo, this.d.calendar, this.d.config, r.chatId, month, now, {
      ...(archiveUrl ? { archiveUrl, linkValidFor: `${MONTHLY_LINK_DAYS} 天` } : {}),
      mention: monthlyMentions(this.d.repo, r.chatId),
    });
    if (!card) return;
    this.d.repo.enqueue({ platform: r.platform as PlatformName, chatId: r.chatId, body: { type: 'card', card, cardKey: `monthly:${r.key}` } }, now.getTime());
  }

  /**
   * Plans the daily 17:00 nudge and the weekly digest once per day / week (keys make each
   * firing unique). The nudge is planned a few chats per tick, at most `planChunk` reminders
   * (whole chats, so a chat's nudges still go out as one message); a marker row per day holds
   * how far planning got, written in the transaction that plans, so nothing is skipped or
   * planned twice across ticks, restarts or instances.
   */
  private planPeriodic(): void {
    const now = this.d.clock.now();
    const cal = this.d.calendar;
    const day = cal.localDay(now);
    if (this.periodicDone === day) return;
    if (!cal.isWorkdayOn(day)) return;
    const s = this.d.config.scheduler;
    const t = now.getTime();
    const nudgeDone = t >= cal.at(day, s.nudgeAt).getTime() ? this.planNudges(day, now) : false;
    const isoWeekday = ((new Date(cal.at(day, '12:00')).getUTCDay() + 6) % 7) + 1;
    const digestDay = s.digest.enabled && isoWeekday === s.digest.weekday;
    const digestDone = !digestDay || (t >= cal.at(day, s.digest.at).getTime() && this.planDigest(day, now));
    const monthlyDay = s.monthly.enabled && lastWorkingDayOf(cal, monthOf(day)) === day;
    const monthlyDone = !monthlyDay || (t >= cal.at(day, s.monthly.at).getTime() && this.planMonthly(day, now));
    // All done for today: later ticks today skip this (the markers say the same).
    if (nudgeDone && digestDone && monthlyDone) this.periodicDone = day;
  }

  /** One chunk of today's nudge planning; true when today's planning is complete. */
  private planNudges(day: string, now: Date): boolean {
    const key = `nudge-plan:${day}`;
    const cal = this.d.calendar;
    return this.d.repo.tx(() => {
      const mark = this.reminders.marker(key);
      if (mark && mark.status !== PLANNING) return true; // planned (older versions planned in one go)
      const t = now.getTime();
      const dayStart = cal.at(day, '00:00').getTime();
      let cursor = mark?.cursor ?? '';
      let planned = 0;
      for (let chats = 0; planned < this.planChunk && chats < this.planChunk; chats++) {
        const next = this.reminders.nextChatWithDoingTask(cursor);
        if (next === undefined) {
          this.setMarker(key, DONE, 'system', t);
          return true;
        }
        planned += this.reminders.planNudges(next, day, t, t, dayStart);
        cursor = next;
      }
      this.setMarker(key, PLANNING, cursor, t);
      return false;
    });
  }

  /**
   * Plans this week's digest for each group with open items: the groups are found by skipping
   * through the (chat_id, state) index, one seek per group, not by reading every item.
   */
  private planDigest(day: string, now: Date): boolean {
    const key = `digest-plan:${day}`;
    const cal = this.d.calendar;
    const s = this.d.config.scheduler;
    return this.d.repo.tx(() => {
      if (this.reminders.exists(key)) return true;
      const t = now.getTime();
      this.setMarker(key, DONE, 'system', t);
      for (const c of this.reminders.chatsWithOpenItems()) {
        // Spread over the half hour after the digest time, off :00 and :30.
        const at = new Date(cal.at(day, s.digest.at).getTime() + spreadMinutes(c.chatId) * 60_000);
        this.insert(c.platform, c.chatId, null, { key: `w:${c.chatId}:${day}`, rule: 'digest', round: 0, fireAt: at > now ? at : now, urgent: false });
      }
      return true;
    });
  }

  /**
   * Plans the month's summary for each group with items, once per month (a marker row per month,
   * one key per group and month: restarts, other instances and later ticks plan nothing twice).
   */
  private planMonthly(day: string, now: Date): boolean {
    const month = monthOf(day);
    const key = `monthly-plan:${month}`;
    const at = this.d.calendar.at(day, this.d.config.scheduler.monthly.at);
    return this.d.repo.tx(() => {
      if (this.reminders.exists(key)) return true;
      this.setMarker(key, DONE, 'system', now.getTime());
      for (const c of this.reminders.chatsWithItems()) {
        // Spread over the half hour after the summary time, off :00 and :30.
        const fire = new Date(at.getTime() + spreadMinutes(c.chatId) * 60_000);
        this.insert(c.platform, c.chatId, null, { key: `mo:${c.chatId}:${month}`, rule: 'monthly', round: 0, fireAt: fire > now ? fire : now, urgent: false });
      }
      return true;
    });
  }

  /** A planning marker: never fires (its status is not 'pending'); `cursor` is where planning got to. */
  private setMarker(key: string, status: string, cursor: string, at: number): void {
    this.reminders.setMarker(key, status, cursor, at);
  }

  /** What will fire when (ops view). */
  upcoming(chatId?: string, limit = 200): ReminderRow[] {
    return this.reminders.upcoming(chatId || undefined, limit);
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
