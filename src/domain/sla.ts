// SLA compliance: which response clocks were met and which breached, and how long people took to
// respond, counted in each clock's own time (working time for wd/wh clocks, so a night or a
// weekend does not count against anyone). Pure: the audit history, the clocks and the calendar
// come in as arguments. The runs are rebuilt from the audit trail, because the item row only
// keeps its current clock.

import type { WorkCalendar } from './calendar.ts';
import { type ClockName, type ClockSet, clockNameOf } from './clocks.ts';
import { type DurationKind, addDuration, elapsed } from './working-time.ts';

/** The part of an item the runs need. */
export interface SlaItem {
  id: number;
  kind: string;
  chatId: string;
  urgent: boolean;
  initiatorId: string;
  ownerId: string | null;
  /** Collaboration type of a request. */
  process: string | null;
}

/** One audit row: a transition, in the order they happened. `clockAt` is the clock after it, when recorded. */
export interface SlaEvent {
  at: number;
  actorId: string;
  fromState: string | null;
  toState: string | null;
  clockAt?: number | null;
}

/** One response clock from the moment it started until it was answered (or now). */
export interface ClockRun {
  itemId: number;
  chatId: string;
  /** `request:<process>` for requests, the item kind otherwise. */
  type: string;
  clock: ClockName;
  kind: DurationKind;
  /** Who the clock waited on: who answered it, else whom it still waits on. */
  person: string;
  start: number;
  deadline: number;
  /** When it was answered; undefined while it still runs. */
  end?: number;
  /** Paused stretches (waiting on the requester), [from, to) with to undefined while paused. */
  pauses: { from: number; to?: number }[];
}

/** States in which a clock stands still because the item waits on its requester. */
const PAUSED = new Set(['ask:info', 'issue:info']);
/** Leaving a clock this way is not a response: the run is not counted. */
const NOT_A_RESPONSE = new Set(['cancelled']);

function typeOf(item: SlaItem): string {
  return item.kind === 'request' ? `request:${item.process ?? 'internal'}` : item.kind;
}

/** Whom a running clock waits on, from the item alone (the asked person of a question is its owner). */
function waitsOn(item: SlaItem, clock: ClockName): string {
  return clock === 'accept' ? item.initiatorId : (item.ownerId ?? item.initiatorId);
}

/** The item's response clocks, rebuilt from its audit rows (oldest first). */
export function clockRuns(item: SlaItem, events: readonly SlaEvent[], clocks: ClockSet, cal: WorkCalendar): ClockRun[] {
  const runs: ClockRun[] = [];
  let run: ClockRun | undefined;
  for (const e of events) {
    const to = e.toState;
    if (to === null || to === e.fromState) continue;
    if (run && PAUSED.has(`${item.kind}:${to}`)) {
      run.pauses.push({ from: e.at });
      continue;
    }
    const open = run?.pauses.at(-1);
    if (run && open && open.to === undefined) {
      open.to = e.at;
      const name = clockNameOf(item.kind, to, item.urgent);
      if (name === run.clock) {
        // Resumed: the clock gets back the time it had left when paused.
        run.deadline = e.clockAt ?? addDuration(cal, new Date(e.at), { kind: run.kind, ms: Math.max(0, elapsed(cal, run.kind, new Date(open.from), new Date(run.deadline))) }).getTime();
        continue;
      }
    }
    if (run) {
      run.end = e.at;
      if (!NOT_A_RESPONSE.has(to)) runs.push({ ...run, person: e.actorId });
      run = undefined;
    }
    const name = clockNameOf(item.kind, to, item.urgent);
    if (name) {
      const d = clocks[name];
      const deadline = e.clockAt ?? addDuration(cal, new Date(e.at), d).getTime();
      run = { itemId: item.id, chatId: item.chatId, type: typeOf(item), clock: name, kind: d.kind, person: waitsOn(item, name), start: e.at, deadline, pauses: [] };
    }
  }
  if (run) runs.push(run);
  return runs;
}

/** Time to respond in the clock's own time, without the paused stretches; undefined while running. */
export function responseTime(run: ClockRun, cal: WorkCalendar): number | undefined {
  if (run.end === undefined) return undefined;
  const span = (a: number, b: number) => Math.max(0, elapsed(cal, run.kind, new Date(a), new Date(b)));
  return span(run.start, run.end) - run.pauses.reduce((s, p) => s + span(p.from, p.to ?? run.end!), 0);
}

export type Outcome = 'met' | 'breached' | 'running';

/** Met when answered by its deadline; breached when answered later or still open past it. */
export function outcomeOf(run: ClockRun, now: number): Outcome {
  if (run.end !== undefined) return run.end <= run.deadline ? 'met' : 'breached';
  const paused = run.pauses.at(-1)?.to === undefined && run.pauses.length > 0;
  return !paused && now > run.deadline ? 'breached' : 'running';
}

export type SlaDimension = 'person' | 'type' | 'chat' | 'week';

export type SlaRowKind = SlaDimension | 'total';

export interface ComplianceRow {
  dimension: SlaRowKind;
  key: string;
  met: number;
  breached: number;
  /** Share met of those decided, 0–1. */
  rate: number;
  /** Of the answered clocks, in their own time (ms); undefined when none was answered. */
  medianMs?: number;
  p90Ms?: number;
  /** How those times count: one kind, or 'mixed' when the row mixes wall and working clocks. */
  kind: DurationKind | 'mixed';
}

export interface ComplianceTable {
  since: number;
  until: number;
  total: ComplianceRow;
  rows: ComplianceRow[];
}

/** Median of sorted values (the mean of the middle two for an even count). */
export function median(sorted: readonly number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** ISO week of a local day "YYYY-MM-DD": "2026-W45". */
export function isoWeek(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - dow);
  const year = date.getUTCFullYear();
  const week = Math.ceil((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7 + 1 / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

interface Decided {
  run: ClockRun;
  outcome: 'met' | 'breached';
  ms?: number;
  week: string;
}

/** When a run's outcome was decided: its answer, else its breach. */
function decidedAt(run: ClockRun): number {
  return run.end ?? run.deadline;
}

function row(dimension: SlaRowKind, key: string, list: readonly Decided[]): ComplianceRow {
  const met = list.filter((d) => d.outcome === 'met').length;
  const times = list.flatMap((d) => (d.ms === undefined ? [] : [d.ms])).sort((a, b) => a - b);
  const kinds = new Set(list.filter((d) => d.ms !== undefined).map((d) => d.run.kind));
  return {
    dimension,
    key,
    met,
    breached: list.length - met,
    rate: list.length ? met / list.length : 0,
    medianMs: median(times),
    p90Ms: percentile(times, 0.9),
    kind: kinds.size > 1 ? 'mixed' : ([...kinds][0] ?? 'wall'),
  };
}

/**
 * The compliance table of the clocks decided in [since, until): per person, per type, per chat and
 * per ISO week (of the day the outcome was decided, in the calendar's zone), and the total.
 * Running clocks are not counted; a clock still open past its deadline (at `now`) counts as
 * breached, with no response time.
 */
export function complianceTable(runs: readonly ClockRun[], cal: WorkCalendar, since: number, until: number, now = until): ComplianceTable {
  const decided: Decided[] = [];
  for (const run of runs) {
    const outcome = outcomeOf(run, Math.min(now, until));
    const t = decidedAt(run);
    if (outcome === 'running' || t < since || t >= until) continue;
    decided.push({ run, outcome, ms: responseTime(run, cal), week: isoWeek(cal.localDay(new Date(t))) });
  }
  const keyOf: Record<SlaDimension, (d: Decided) => string> = {
    person: (d) => d.run.person,
    type: (d) => d.run.type,
    chat: (d) => d.run.chatId,
    week: (d) => d.week,
  };
  const rows: ComplianceRow[] = [];
  for (const dim of ['person', 'type', 'chat', 'week'] as const) {
    const groups = new Map<string, Decided[]>();
    for (const d of decided) groups.set(keyOf[dim](d), [...(groups.get(keyOf[dim](d)) ?? []), d]);
    for (const key of [...groups.keys()].sort()) rows.push(row(dim, key, groups.get(key)!));
  }
  return { since, until, total: row('total', '合计', decided), rows };
}
