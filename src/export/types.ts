// The archive's neutral table model: row builders produce it, the xlsx/csv/md writers render it.

import type { AuditRow, ChatRow, ItemRow, PersonRow } from '../db/repo.ts';

/** An instant (ms since epoch), rendered in the archive's time zone. */
export interface TimeCell {
  at: number;
}

/** A percentage 0–100. */
export interface PctCell {
  pct: number;
}

export type Cell = string | number | TimeCell | PctCell | null;

export interface Column {
  header: string;
  /** Spreadsheet column width, in characters (a CJK character counts as about 2). */
  width: number;
}

export interface Table {
  /** Sheet name and section title; also the seed template's name. */
  name: string;
  columns: Column[];
  rows: Cell[][];
}

/** Everything one archive shows, read once from the database. */
export interface Snapshot {
  chatId: string;
  chat: ChatRow | undefined;
  /** Project name shown in the archive: the /setup binding, else the chat name. */
  project: string;
  /** Items in scope, by id ascending. */
  items: ItemRow[];
  byId: Map<number, ItemRow>;
  people: (itemId: number) => PersonRow[];
  audit: (itemId: number) => AuditRow[];
  /** Display name for a user id (falls back to the id). */
  name: (userId: string | null | undefined) => string;
  /** Free text with `<@id>` mention tokens turned into "@名字". */
  plain: (text: unknown) => string;
  timezone: string;
}

/** One seed table: its name, its columns and how its rows come from a snapshot. */
export interface TableSpec {
  name: string;
  columns: Column[];
  rows: (s: Snapshot) => Cell[][];
}

export function time(ms: unknown): TimeCell | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? { at: ms } : null;
}

export function pct(v: unknown): PctCell | null {
  return typeof v === 'number' && Number.isFinite(v) ? { pct: v } : null;
}

export function isTime(c: Cell): c is TimeCell {
  return typeof c === 'object' && c !== null && 'at' in c;
}

export function isPct(c: Cell): c is PctCell {
  return typeof c === 'object' && c !== null && 'pct' in c;
}

export function cols(spec: Array<[header: string, width: number]>): Column[] {
  return spec.map(([header, width]) => ({ header, width }));
}
