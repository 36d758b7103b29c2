// The archive's SLA sheet: the compliance table of the items in the archive, from their audit
// trail, with response times in hours of each clock's own time.

import type { WorkCalendar } from '../../domain/calendar.ts';
import type { ClockSet } from '../../domain/clocks.ts';
import { type ComplianceRow, clockRuns, complianceTable } from '../../domain/sla.ts';
import { KIND_LABEL } from '../../i18n/zh-CN.ts';
import type { ProcessRegistry } from '../../domain/processes/registry.ts';
import { type Cell, type Snapshot, type Table, pct } from '../types.ts';
import { num } from './common.ts';

export interface SlaSheetOptions {
  clocks: ClockSet;
  calendar: WorkCalendar;
  processes?: ProcessRegistry;
}

const DIMENSION: Record<ComplianceRow['dimension'], string> = { total: '合计', person: '按人', type: '按类型', chat: '按群', week: '按周' };
const KIND: Record<ComplianceRow['kind'], string> = { work: '工作时间', wall: '自然时间', mixed: '混合' };

const hours = (ms: number | undefined): Cell => (ms === undefined ? null : Math.round(ms / 360_000) / 10);

export function slaTable(s: Snapshot, o: SlaSheetOptions, now: Date): Table {
  const runs = s.items.flatMap((item) =>
    clockRuns(
      item,
      s.audit(item.id).map((a) => ({ at: a.at, actorId: a.actorId, fromState: a.fromState, toState: a.toState, clockAt: num(a.detail.clockAt) })),
      o.clocks,
      o.calendar,
    ),
  );
  const t = complianceTable(runs, o.calendar, 0, now.getTime() + 1, now.getTime());
  const label = (r: ComplianceRow): string => {
    if (r.dimension === 'person') return s.name(r.key);
    if (r.dimension === 'chat') return r.key === s.chatId ? s.project : r.key;
    if (r.dimension === 'type') return r.key.startsWith('request:') ? `需求·${o.processes?.get(r.key.slice(8)).name ?? r.key.slice(8)}` : (KIND_LABEL[r.key] ?? r.key);
    return r.key;
  };
  return {
    name: 'SLA',
    columns: [
      { header: '维度', width: 8 },
      { header: '对象', width: 20 },
      { header: '按时', width: 8 },
      { header: '超时', width: 8 },
      { header: '达标率', width: 10 },
      { header: '响应中位数（小时）', width: 14 },
      { header: '响应 P90（小时）', width: 14 },
      { header: '计时', width: 10 },
    ],
    rows: [t.total, ...t.rows].map((r) => [DIMENSION[r.dimension], label(r), r.met, r.breached, r.met + r.breached ? pct(Math.round(r.rate * 1000) / 10) : null, hours(r.medianMs), hours(r.p90Ms), KIND[r.kind]]),
  };
}
