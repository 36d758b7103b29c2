// /export (归档): the collaboration's records as the seed tables, in one file named
// "项目名称-协作类型-日期" (domain §9): an xlsx workbook, one CSV, or Markdown.

import type { Db } from '../db/connection.ts';
import { archiveName, type ProcessRegistry } from '../domain/processes/registry.ts';
import { writeCsv } from './csv.ts';
import { writeMarkdown } from './markdown.ts';
import { loadSnapshot } from './snapshot.ts';
import { buildTables } from './tables/index.ts';
import { type SlaSheetOptions, slaTable } from './tables/sla.ts';
import { stageTables } from './tables/stages.ts';
import { fmtLocal, monthRange, ymd } from './time.ts';
import type { Snapshot } from './types.ts';

export { ArchiveError } from './snapshot.ts';

// exceljs (~0.5 s and ~25 MB to load) is imported on the first xlsx export, not at start-up.
let xlsx: Promise<typeof import('./xlsx.ts')> | undefined;
function loadXlsx(): Promise<typeof import('./xlsx.ts')> {
  xlsx ??= import('./xlsx.ts').catch((err: unknown) => {
    xlsx = undefined;
    throw err;
  });
  return xlsx;
}

export type ArchiveFormat = 'xlsx' | 'csv' | 'md';

export interface ArchiveOptions {
  chatId: string;
  /** One item (usually a request #N) and everything under it; the whole chat when absent. */
  itemId?: number;
  format: ArchiveFormat;
  timezone: string;
  now: Date;
  /**
   * A month's archive ('YYYY-MM'): the items created or changed that month, named
   * 部门-月份-主题 (the /设置 department, the month, the project).
   */
  month?: string;
  /** The 协作类型 part of the file name. */
  collabType?: string;
  /**
   * The collaboration types in force: with them the archive adds each type's documents as sheets,
   * and a request of a type with its own archive name pattern is named by it.
   */
  processes?: ProcessRegistry;
  /** With the clocks and the calendar, the archive adds an SLA sheet (compliance of its items). */
  sla?: Omit<SlaSheetOptions, 'processes'>;
}

export interface ArchiveFile {
  filename: string;
  contentType: string;
  body: Buffer;
}

export const CONTENT_TYPE: Record<ArchiveFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

export const DEFAULT_COLLAB_TYPE = '跨部门协作';

/** Throws ArchiveError('item_not_found') when itemId is not an item of the chat. */
export async function buildArchive(db: Db, opts: ArchiveOptions): Promise<ArchiveFile> {
  const span = opts.month && opts.itemId === undefined ? monthRange(opts.month, opts.timezone) : undefined;
  const s = loadSnapshot(db, { chatId: opts.chatId, itemId: opts.itemId, timezone: opts.timezone, ...(span ? { span } : {}) });
  const seedTables = buildTables(s);
  const typed = opts.processes ? [...seedTables, ...stageTables(s, opts.processes, new Set(seedTables.map((t) => t.name)))] : seedTables;
  const tables = opts.sla ? [...typed, slaTable(s, { ...opts.sla, processes: opts.processes }, opts.now)] : typed;
  const stem = span ? monthStem(s, opts.month!) : (typedStem(s, opts) ?? archiveStem(s, opts));
  const body =
    opts.format === 'xlsx'
      ? await (await loadXlsx()).writeXlsx(tables, { title: stem, now: opts.now, timezone: opts.timezone })
      : opts.format === 'csv'
        ? writeCsv(tables, opts.timezone)
        : writeMarkdown(tables, { title: span ? `${s.project} ${opts.month} 月度归档` : `${s.project} 协作归档`, facts: facts(s, opts), timezone: opts.timezone });
  return { filename: `${stem}.${opts.format}`, contentType: CONTENT_TYPE[opts.format], body };
}

/**
 * "项目名称-协作类型-日期" with the date as YYYYMMDD in the zone. A single request's archive
 * carries its number in the type part, so two requests' archives of one day differ.
 */
export function archiveStem(s: Snapshot, opts: Pick<ArchiveOptions, 'itemId' | 'now' | 'timezone' | 'collabType'>): string {
  let type = opts.collabType?.trim() || DEFAULT_COLLAB_TYPE;
  if (opts.itemId !== undefined) {
    const root = s.byId.get(opts.itemId);
    type += `（${root?.seqNo || `#${opts.itemId}`}）`;
  }
  return [s.project, type, ymd(opts.now.getTime(), opts.timezone)].map(safeName).join('-');
}

/** A month's archive: "部门-月份-主题" (技术部-2026-11-双十一大促); without a /设置 department, "月份-主题". */
export function monthStem(s: Pick<Snapshot, 'chat' | 'project'>, month: string): string {
  const dept = s.chat?.dept?.trim();
  return [...(dept ? [dept] : []), month, s.project].map(safeName).join('-');
}

/**
 * A single request's archive named by its type's pattern (客户: 客户名称-项目名称-日期), when that
 * pattern is not the generic 项目名称-协作类型-日期 (which archiveStem already writes).
 */
function typedStem(s: Snapshot, opts: ArchiveOptions): string | undefined {
  const root = opts.itemId === undefined ? undefined : s.byId.get(opts.itemId);
  if (!root || root.kind !== 'request' || !opts.processes) return undefined;
  const t = opts.processes.get(root.process);
  if (t.archiveName === GENERIC_PATTERN) return undefined;
  const counterparty = typeof root.data.counterparty === 'string' ? root.data.counterparty : null;
  return safeName(archiveName(t, { project: s.project, counterparty, day: ymd(opts.now.getTime(), opts.timezone) }));
}

const GENERIC_PATTERN = '{项目名称}-{协作类型}-{日期}';

/** Keeps a name part usable as a file name on every desktop OS. */
export function safeName(part: string): string {
  const cleaned = part
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return cleaned.slice(0, 60) || '未命名';
}

function facts(s: Snapshot, opts: ArchiveOptions): Array<[string, string]> {
  const root = opts.itemId === undefined ? undefined : s.byId.get(opts.itemId);
  const out: Array<[string, string]> = [['项目', s.project]];
  if (s.chat?.dept) out.push(['部门', s.chat.dept]);
  if (s.chat?.name) out.push(['群', s.chat.name]);
  const scope = root
    ? `#${root.id}${root.seqNo ? `（${root.seqNo}）` : ''} ${s.plain(root.title)} 及其下属事项`
    : opts.month
      ? `${opts.month} 新建或有变动的事项`
      : '本群全部事项';
  out.push(['范围', scope]);
  out.push(['导出时间', `${fmtLocal(opts.now.getTime(), opts.timezone)}（${opts.timezone}）`]);
  return out;
}
