// SLA compliance as people see it: the table of one chat or of every chat since a date, in
// /周报, the weekly digest, the export and `npm run sla`. The numbers come from src/domain/sla.ts.

import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { CardChart } from '../domain/card.ts';
import { clockSet } from '../domain/clocks.ts';
import { type ComplianceRow, type ComplianceTable, type SlaRowKind, clockRuns, complianceTable, isoWeek } from '../domain/sla.ts';
import type { Repo } from '../db/repo.ts';
import { slaHistory } from '../db/sla.query.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import { fmtSpan } from './format.ts';
import { processRegistry } from './processes.ts';

const DAY = 86_400_000;
/** Weeks of trend the weekly card's chart shows. */
export const TREND_WEEKS = 6;

export const DIMENSION_LABEL: Record<SlaRowKind, string> = { total: '合计', person: '按人', type: '按类型', chat: '按群', week: '按周' };

/** The compliance table of the clocks decided in [since, until) as of `now`, of one chat or all. */
export function compliance(repo: Repo, config: Config, calendar: WorkCalendar, since: Date, until: Date, now: Date, chatId?: string): ComplianceTable {
  const clocks = clockSet(config.clocks, calendar.workdayMs);
  const runs = slaHistory(repo, since.getTime(), chatId).flatMap((h) => clockRuns(h.item, h.events, clocks, calendar));
  return complianceTable(runs, calendar, since.getTime(), until.getTime(), now.getTime());
}

/** Names for the keys of a table: people and chats by display name, types by their label. */
export function slaLabeller(repo: Repo, config: Config, table: ComplianceTable): (r: ComplianceRow) => string {
  const people = repo.userNames(table.rows.filter((r) => r.dimension === 'person').map((r) => r.key));
  const reg = processRegistry(config);
  return (r) => {
    if (r.dimension === 'person') return people.get(r.key) ?? r.key;
    if (r.dimension === 'chat') return repo.getChat(r.key)?.name ?? r.key;
    if (r.dimension === 'type') return r.key.startsWith('request:') ? `需求·${reg.get(r.key.slice(8)).name}` : (KIND_LABEL[r.key] ?? r.key);
    return r.key;
  };
}

/** A response time as the row counts it (hours of mixed kinds are shown as plain hours). */
export function fmtRowTime(r: ComplianceRow, ms: number | undefined): string {
  if (ms === undefined) return '—';
  return r.kind === 'mixed' ? `${Math.round(ms / 360_000) / 10} 小时（混合）` : fmtSpan(r.kind, ms);
}

export function fmtRate(r: ComplianceRow): string {
  return r.met + r.breached === 0 ? '—' : `${Math.round(r.rate * 100)}%`;
}

/** One line of a row: 按时 3 · 超时 1 · 达标率 75% · 中位 2 个工作小时 · P90 5 个工作小时. */
export function rowLine(r: ComplianceRow, name: string): string {
  return `- ${name}：按时 ${r.met} · 超时 ${r.breached} · 达标率 ${fmtRate(r)} · 中位 ${fmtRowTime(r, r.medianMs)} · P90 ${fmtRowTime(r, r.p90Ms)}`;
}

/** The table as markdown lines, grouped by dimension; `only` picks the dimensions shown. */
export function complianceLines(table: ComplianceTable, label: (r: ComplianceRow) => string, only: readonly SlaRowKind[] = ['total', 'person', 'type', 'chat', 'week']): string[] {
  const out: string[] = [];
  if (only.includes('total')) out.push(rowLine(table.total, '合计'));
  for (const dim of ['person', 'type', 'chat', 'week'] as const) {
    if (!only.includes(dim)) continue;
    const rows = table.rows.filter((r) => r.dimension === dim);
    if (rows.length) out.push(`${DIMENSION_LABEL[dim]}`, ...rows.map((r) => rowLine(r, label(r))));
  }
  return out;
}

/** The last `weeks` ISO weeks up to `when`, oldest first, with their rows (zeros when none). */
export function trend(table: ComplianceTable, calendar: WorkCalendar, when: Date, weeks = TREND_WEEKS): { week: string; met: number; breached: number; rate: number }[] {
  const out = [];
  for (let i = weeks - 1; i >= 0; i--) {
    const week = isoWeek(calendar.localDay(new Date(when.getTime() - i * 7 * DAY)));
    const r = table.rows.find((x) => x.dimension === 'week' && x.key === week);
    out.push({ week, met: r?.met ?? 0, breached: r?.breached ?? 0, rate: r ? Math.round(r.rate * 100) : 0 });
  }
  return out;
}

/** The weekly trend as a neutral chart: clocks met and breached per week. */
export function trendChart(points: ReturnType<typeof trend>): CardChart {
  return {
    title: 'SLA 按时 / 超时（按周）',
    kind: 'bar',
    labels: points.map((p) => p.week),
    series: [
      { name: '按时', values: points.map((p) => p.met) },
      { name: '超时', values: points.map((p) => p.breached) },
    ],
  };
}

const KIND_TEXT: Record<ComplianceRow['kind'], string> = { work: '工作时间', wall: '自然时间', mixed: '混合' };

/** Display width in a terminal: CJK and full-width characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

/** The table as aligned plain text for a terminal, the same rows as /周报 and the SLA sheet. */
export function complianceText(table: ComplianceTable, label: (r: ComplianceRow) => string): string {
  const hours = (ms: number | undefined) => (ms === undefined ? '—' : String(Math.round(ms / 360_000) / 10));
  const head = ['维度', '对象', '按时', '超时', '达标率', '中位(小时)', 'P90(小时)', '计时'];
  const body = [table.total, ...table.rows].map((r) => [DIMENSION_LABEL[r.dimension], r.dimension === 'total' ? '合计' : label(r), String(r.met), String(r.breached), fmtRate(r), hours(r.medianMs), hours(r.p90Ms), KIND_TEXT[r.kind]]);
  const cols = head.map((_, i) => Math.max(...[head, ...body].map((row) => width(row[i]!))));
  return [head, ...body].map((row) => row.map((c, i) => c + ' '.repeat(cols[i]! - width(c))).join('  ').trimEnd()).join('\n');
}
