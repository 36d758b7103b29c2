// /列表, /查看, /周报, /导出.

import { done, fail } from '../result.ts';
import { exportFormat, listFilter, noExtra, parseId, takeId, takeOptionalId } from '../values.ts';
import type { ExportFormat, ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/列表 [我的|逾期|进行中|全部]`, default open. */
export function buildList(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('list', a.error);
  const words = a.value.free.split(/\s+/).filter(Boolean);
  if (words.length > 1) return fail('list', `只能选一种范围：${words.join(' ')}`);
  const filter = words[0] === undefined ? 'open' : listFilter(words[0]);
  if (!filter) return fail('list', `未知的列表范围：${words[0]}（可选：我的/逾期/进行中/全部）`);
  return done({ name: 'list', filter });
}

/** `/查看 #N` */
export function buildShow(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('show', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('show', id.error);
  const extra = noExtra(id.value.rest);
  if (!extra.ok) return fail('show', extra.error);
  return done({ name: 'show', id: id.value.id });
}

/** `/周报` */
export function buildReport(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('report', a.error);
  const id = takeOptionalId(a.value.free);
  if (!id.ok) return fail('report', id.error);
  // `/周报 #N 客户`: the progress report of one request, worded for the customer.
  const rest = id.value.rest.replace(/^(客户|外部|customer)$/i, '').trim();
  const extra = noExtra(rest);
  if (!extra.ok) return fail('report', extra.error);
  return done(id.value.id === undefined ? { name: 'report' } : { name: 'report', id: id.value.id });
}

/** `/导出 [#N] [xlsx|csv|md]`, in any order; default xlsx. */
export function buildExport(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('export', a.error);
  let id: number | undefined;
  let format: ExportFormat | undefined;
  for (const w of a.value.free.split(/\s+/).filter(Boolean)) {
    const n = parseId(w);
    const f = exportFormat(w);
    if (n !== undefined && id === undefined) id = n;
    else if (f && !format) format = f;
    else if (n !== undefined) return fail('export', `只能导出一个编号：${w}`);
    else if (w.startsWith('#')) return fail('export', `编号无效：${w}（应为 #12 或 12）`);
    else return fail('export', `无法识别：${w}（格式可选 xlsx/csv/md）`);
  }
  return done({ name: 'export', id, format: format ?? 'xlsx' });
}
