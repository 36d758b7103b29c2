// Small helpers the row builders share: labels, references, names, typed views of item data.

import type { ItemRow } from '../../db/repo.ts';
import { PRIORITY_LABEL, stateLabel } from '../../i18n/zh-CN.ts';
import type { Snapshot } from '../types.ts';

export const SEVERITY_LABEL: Record<string, string> = { normal: '一般', major: '重要', critical: '紧急' };
export const URGENCY_LABEL: Record<string, string> = { urgent: '紧急', normal: '一般', low: '不急' };
export const TASK_SOURCE_LABEL: Record<string, string> = { task: '任务分解', todo: '沟通待办', decision: '会议决议' };
export const PERSON_STATUS_LABEL: Record<string, string> = {
  pending: '待确认',
  confirmed: '已确认',
  objected: '有异议',
  answered: '已回复',
};

export interface ReviewRecord {
  round?: number;
  result?: string;
  by?: string;
  at?: number;
  reason?: string;
  newDue?: number;
}

/** A string field of item data or audit detail; '' when missing or not text. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** "#12". */
export function ref(item: Pick<ItemRow, 'id'>): string {
  return `#${item.id}`;
}

export function state(item: Pick<ItemRow, 'state' | 'kind'>): string {
  return stateLabel(item.state, item.kind);
}

export function priority(p: string | null | undefined): string {
  return p ? (PRIORITY_LABEL[p] ?? p) : '';
}

export function urgency(item: ItemRow): string {
  const u = str(item.data.urgency);
  return URGENCY_LABEL[u] ?? (item.urgent ? '紧急' : '一般');
}

/** Names joined with 、, each once, in order. */
export function names(s: Snapshot, ids: Iterable<string | null | undefined>): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    if (!id || seen.has(id)) continue;
    seen.add(id);
    out.push(s.name(id));
  }
  return out.join('、');
}

/** The item's parent, when it is in the archive, as "#3 标题"; else "#3" or ''. */
export function parentLabel(s: Snapshot, item: ItemRow): string {
  if (item.parentId === null) return '';
  const p = s.byId.get(item.parentId);
  return p ? `#${p.id} ${s.plain(p.title)}` : `#${item.parentId}`;
}

export function ofKind(s: Snapshot, kind: string): ItemRow[] {
  return s.items.filter((i) => i.kind === kind);
}

export function reviews(item: ItemRow): ReviewRecord[] {
  return arr(item.data.reviews).map((r) => obj(r) as ReviewRecord);
}
