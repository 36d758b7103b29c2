// Reminder rules (pure): given an item, what should fire and when. The scheduler stores each
// planned firing as a row keyed so that the same rule never fires twice for the same clock or
// deadline; follow-ups (repeats, escalation) are planned when the previous one fires.

import type { WorkCalendar } from './calendar.ts';
import { type ClockSet, watchedClockOf } from './clocks.ts';
import { type DurationKind, subtractDuration } from './working-time.ts';

export interface ReminderRules {
  /** The configured clocks: how each item's clock counts time (wall or working time). */
  clocks: ClockSet;
  /** Heads-up this long before a response clock runs out, counted in the clock's own time. */
  headsUp: { ordinary: number; urgent: number };
  /** Repeat interval of an urgent ping; ordinary pings repeat each next working morning. */
  urgentRepeat: number;
  /** After this many missed pings, the next one escalates to the initiator and the side's 总对接人. */
  escalateAfter: number;
  /** After this many more missed pings, the escalation reaches the leader (负责人). */
  leaderAfter: number;
  /** Stop after this many pings of one clock (escalations included). */
  maxPings: number;
  /** Deadline heads-up: this many working days before. */
  deadlineDaysBefore: number;
  /** Stop daily overdue pings after this many days. */
  maxOverdueDays: number;
  /** Working-morning time of day ("09:00") for deadline pings. */
  morning: string;
}

export type Rule = 'headsup' | 'ping' | 'due-soon' | 'due-today' | 'overdue' | 'milestone' | 'announce' | 'nudge' | 'digest' | 'monthly' | 'stage';

export interface PlannedReminder {
  /**
   * Unique per firing: a rule for one clock/deadline value and round fires once. An item's keys
   * start with `c:`, `d:`, `m:`, `n:` or `s:` and `<item id>:` (the scheduler finds them by prefix).
   */
  key: string;
  rule: Rule;
  round: number;
  fireAt: Date;
  urgent: boolean;
}

/** The facts about an item the rules need. */
export interface WatchedItem {
  id: number;
  chatId: string;
  kind: string;
  state: string;
  urgent: boolean;
  clockAt: number | null;
  dueAt: number | null;
  /** For a task under a request: the request's deadline (its milestone). */
  milestoneAt?: number | null;
  /** A request's current stage of its collaboration type, and when that stage's clock runs out. */
  stage?: string | null;
  stageDueAt?: number | null;
  /** A milestone item (kind 'milestone') marked 重大: announced in the group ahead of time. */
  major?: boolean;
  /** Whether the item's request has ended (closed or cancelled): its milestones are off. */
  parentEnded?: boolean;
}

/** States in which someone owes a response on the item's clock (a closed request: its retrospective). */
const WAITING: Record<string, ReadonlySet<string>> = {
  // In 执行 (active, rework) a request has a clock only while a sub-contact owes a confirmation;
  // once closed, its clock is the retrospective's.
  request: new Set(['pending', 'objected', 'review', 'active', 'rework', 'closed']),
  task: new Set(['review']),
  ask: new Set(['waiting']),
  issue: new Set(['open', 'verify']),
  minutes: new Set(['pending']),
};

/** States in which an item's deadline is still live. */
const DEADLINE_LIVE: Record<string, ReadonlySet<string>> = {
  request: new Set(['pending', 'objected', 'active', 'rework']),
  task: new Set(['todo', 'doing']),
  issue: new Set(['open', 'working']),
};

/** How the item's clock counts: a working-time clock's heads-up and lateness are in working time. */
export function clockKindOf(i: Pick<WatchedItem, 'kind' | 'state' | 'urgent'>, r: Pick<ReminderRules, 'clocks'>): DurationKind {
  const name = watchedClockOf(i.kind, i.state, i.urgent);
  return name ? r.clocks[name].kind : 'wall';
}

export function clockLive(i: WatchedItem): boolean {
  return i.clockAt !== null && !!WAITING[i.kind]?.has(i.state);
}

/** A request's stage clock runs until the stage is signed off, unless the request has ended. */
export function stageLive(i: WatchedItem): boolean {
  return i.kind === 'request' && !!i.stage && i.stageDueAt !== null && i.stageDueAt !== undefined && i.state !== 'closed' && i.state !== 'cancelled';
}

function stageKey(i: WatchedItem, round: number): string {
  return `s:${i.id}:${i.stage}:${i.stageDueAt}:ping:${round}`;
}

export function deadlineLive(i: WatchedItem): boolean {
  return i.dueAt !== null && !!DEADLINE_LIVE[i.kind]?.has(i.state);
}

/**
 * A stable minute offset per chat in 1–14 or 16–28, so that morning batches of different chats
 * spread over the half hour and never land on :00 or :30 (Feishu's limiter punishes those).
 * One chat always gets the same offset, so its reminders still coalesce into one message.
 */
export function spreadMinutes(chatId: string): number {
  let h = 0;
  for (const ch of chatId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const m = (h % 27) + 1;
  return m < 15 ? m : m + 1;
}

/**
 * The calendar's answers memoized per instant: the reminders that fire in one tick all ask for
 * the next working morning after the same `now`, and defer the same few instants (the calendar
 * is immutable, so an answer never changes).
 */
const memo = new WeakMap<WorkCalendar, { morning: Map<number, number>; defer: Map<number, number> }>();
function remembered(map: Map<number, number>, at: Date, compute: (at: Date) => Date): Date {
  const t = at.getTime();
  let v = map.get(t);
  if (v === undefined) {
    v = compute(at).getTime();
    if (map.size >= 2048) map.clear();
    map.set(t, v);
  }
  return new Date(v);
}
function memoOf(cal: WorkCalendar) {
  let m = memo.get(cal);
  if (!m) memo.set(cal, (m = { morning: new Map(), defer: new Map() }));
  return m;
}
function nextWorkingMorning(cal: WorkCalendar, after: Date): Date {
  return remembered(memoOf(cal).morning, after, (a) => cal.nextWorkingMorning(a));
}
function deferForQuiet(cal: WorkCalendar, at: Date): Date {
  return remembered(memoOf(cal).defer, at, (a) => cal.deferForQuiet(a, false));
}

/**
 * Non-urgent messages wait for working time. Morning batches (anything deferred to the working
 * morning, and deadline pings planned for it) are spread per chat off :00 and :30.
 */
function deliverAt(cal: WorkCalendar, at: Date, urgent: boolean, chatId: string, batch = false): Date {
  if (urgent) return at;
  const d = deferForQuiet(cal, at);
  if (d.getTime() === at.getTime() && !batch) return at;
  return new Date(d.getTime() + spreadMinutes(chatId) * 60_000);
}

/** First-level reminders of an item as it is now (follow-ups are planned when these fire). */
export function planItem(i: WatchedItem, cal: WorkCalendar, r: ReminderRules, now: Date): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  const chat = i.chatId;
  if (clockLive(i)) {
    const clock = new Date(i.clockAt!);
    const lead = i.urgent ? r.headsUp.urgent : r.headsUp.ordinary;
    const heads = subtractDuration(cal, clock, { kind: clockKindOf(i, r), ms: lead });
    if (heads > now) out.push({ key: `c:${i.id}:${i.state}:${i.clockAt}:headsup`, rule: 'headsup', round: 0, fireAt: deliverAt(cal, heads, i.urgent, chat), urgent: i.urgent });
    out.push({ key: `c:${i.id}:${i.state}:${i.clockAt}:ping:1`, rule: 'ping', round: 1, fireAt: deliverAt(cal, clock, i.urgent, chat), urgent: i.urgent });
  }
  if (deadlineLive(i)) {
    const due = new Date(i.dueAt!);
    const dueDay = cal.localDay(due);
    const before = cal.at(cal.localDay(cal.addWorkingDays(due, -r.deadlineDaysBefore)), r.morning);
    const morning = cal.at(dueDay, r.morning);
    if (before > now && before < morning) {
      out.push({ key: `d:${i.id}:${i.dueAt}:soon`, rule: 'due-soon', round: 0, fireAt: deliverAt(cal, before, false, chat, true), urgent: false });
    }
    if (morning > now && morning < due) {
      out.push({ key: `d:${i.id}:${i.dueAt}:today`, rule: 'due-today', round: 0, fireAt: deliverAt(cal, morning, i.urgent, chat, true), urgent: i.urgent });
    }
    out.push({ key: `d:${i.id}:${i.dueAt}:overdue:1`, rule: 'overdue', round: 1, fireAt: deliverAt(cal, due, i.urgent, chat), urgent: i.urgent });
  }
  // A stage clock: pinged when it runs out, like a response clock (quiet hours hold ordinary ones).
  if (stageLive(i)) {
    out.push({ key: stageKey(i, 1), rule: 'stage', round: 1, fireAt: deliverAt(cal, new Date(i.stageDueAt!), i.urgent, chat), urgent: i.urgent });
  }
  if (i.kind === 'milestone') out.push(...planMilestone(i, cal, r, now));
  // A stage result is due 1 day before its milestone: remind the owner that morning.
  if (i.kind === 'task' && i.milestoneAt && (i.state === 'todo' || i.state === 'doing')) {
    const dayBefore = cal.at(cal.localDay(new Date(i.milestoneAt - 86_400_000)), r.morning);
    if (dayBefore > now) {
      out.push({ key: `m:${i.id}:${i.milestoneAt}`, rule: 'milestone', round: 0, fireAt: deliverAt(cal, dayBefore, false, chat, true), urgent: false });
    }
  }
  return out;
}

/** Working days before a milestone: its stage result is due (owners reminded), a major one is announced. */
export const MILESTONE_RESULT_DAYS = 1;
export const MILESTONE_ANNOUNCE_DAYS = 3;

function milestoneLive(i: WatchedItem): boolean {
  return i.kind === 'milestone' && i.state === 'planned' && i.dueAt !== null && !i.parentEnded;
}

/**
 * A milestone item's reminders, at the morning time of the working day 1 (result) and 3 (重大:
 * announcement) working days before its day — on the working calendar, so holidays are skipped
 * and 调休 days count. Keyed by the milestone's id and date: a new date plans new ones.
 */
function planMilestone(i: WatchedItem, cal: WorkCalendar, r: ReminderRules, now: Date): PlannedReminder[] {
  if (!milestoneLive(i)) return [];
  const due = new Date(i.dueAt!);
  const morningOf = (n: number) => cal.at(cal.localDay(cal.addWorkingDays(due, -n)), r.morning);
  const out: PlannedReminder[] = [];
  const plan = (rule: Rule, suffix: string, n: number) => {
    const at = morningOf(n);
    if (at > now && at < due) out.push({ key: `m:${i.id}:${i.dueAt}:${suffix}`, rule, round: 0, fireAt: deliverAt(cal, at, false, i.chatId, true), urgent: false });
  };
  plan('milestone', 'result', MILESTONE_RESULT_DAYS);
  if (i.major) plan('announce', 'announce', MILESTONE_ANNOUNCE_DAYS);
  return out;
}

/** The follow-up after a firing, if the item is still waiting. */
export function followUp(
  i: WatchedItem,
  fired: { rule: Rule; round: number; fireAt: Date },
  cal: WorkCalendar,
  r: ReminderRules,
  now: Date,
): PlannedReminder | undefined {
  const from = fired.fireAt > now ? fired.fireAt : now;
  if (fired.rule === 'ping' && clockLive(i) && fired.round < r.maxPings) {
    const next = i.urgent ? new Date(from.getTime() + r.urgentRepeat) : nextWorkingMorning(cal, from);
    const round = fired.round + 1;
    return { key: `c:${i.id}:${i.state}:${i.clockAt}:ping:${round}`, rule: 'ping', round, fireAt: deliverAt(cal, next, i.urgent, i.chatId, !i.urgent), urgent: i.urgent };
  }
  if (fired.rule === 'stage' && stageLive(i) && fired.round < r.maxPings) {
    const next = i.urgent ? new Date(from.getTime() + r.urgentRepeat) : nextWorkingMorning(cal, from);
    const round = fired.round + 1;
    return { key: stageKey(i, round), rule: 'stage', round, fireAt: deliverAt(cal, next, i.urgent, i.chatId, !i.urgent), urgent: i.urgent };
  }
  if (fired.rule === 'overdue' && deadlineLive(i) && fired.round < r.maxOverdueDays) {
    const round = fired.round + 1;
    const next = nextWorkingMorning(cal, from);
    return { key: `d:${i.id}:${i.dueAt}:overdue:${round}`, rule: 'overdue', round, fireAt: deliverAt(cal, next, false, i.chatId, true), urgent: false };
  }
  return undefined;
}

/** Whether a planned reminder still applies to the item as it is now. */
export function stillApplies(i: WatchedItem, key: string): boolean {
  if (key.startsWith('c:')) return clockLive(i) && key.startsWith(`c:${i.id}:${i.state}:${i.clockAt}:`);
  if (key.startsWith('d:')) return deadlineLive(i) && key.startsWith(`d:${i.id}:${i.dueAt}:`);
  if (key.startsWith('s:')) return stageLive(i) && key.startsWith(`s:${i.id}:${i.stage}:${i.stageDueAt}:`);
  if (key.startsWith('m:') && i.kind === 'milestone') return milestoneLive(i) && key.startsWith(`m:${i.id}:${i.dueAt}:`);
  if (key.startsWith('m:')) return (i.state === 'todo' || i.state === 'doing') && key === `m:${i.id}:${i.milestoneAt}`;
  return true;
}

/**
 * How far a missed clock or deadline has climbed: 0 the owner alone; 1 also the initiator and the
 * side's 总对接人 (after `escalateAfter` pings); 2 also the leader (after `leaderAfter` more).
 * Response clocks, stage clocks and overdue deadlines climb alike; an urgent stage (紧急 type)
 * reaches the leader at its first missed ping.
 */
export type EscalationStep = 0 | 1 | 2;

export function escalationStep(rule: Rule, round: number, r: Pick<ReminderRules, 'escalateAfter' | 'leaderAfter'>, urgent = false): EscalationStep {
  if (rule !== 'ping' && rule !== 'overdue' && rule !== 'stage') return 0;
  if (rule === 'stage' && urgent) return 2;
  if (round > r.escalateAfter + r.leaderAfter) return 2;
  return round > r.escalateAfter ? 1 : 0;
}

export function isEscalation(rule: Rule, round: number, r: Pick<ReminderRules, 'escalateAfter' | 'leaderAfter'>, urgent = false): boolean {
  return escalationStep(rule, round, r, urgent) > 0;
}
