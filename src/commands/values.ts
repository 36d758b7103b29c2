// Small values inside commands: ids, percentages, enums in two languages, flag words.

import { z } from 'zod';
import { tidy } from './mentions.ts';
import { err, ok, type Got } from './result.ts';
import type { ExportFormat, ListFilter, Priority, Severity } from './types.ts';

const IdSchema = z.number().int().min(1).max(2_147_483_647);
const PctSchema = z.number().int('进度须为整数').min(0, '进度须在 0–100 之间').max(100, '进度须在 0–100 之间');

/** Full-width digits typed on a Chinese keyboard count as ASCII. */
function digits(s: string): string {
  return s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

export function firstWord(text: string): { word: string; rest: string } {
  const t = text.trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(t);
  return m ? { word: m[1]!, rest: tidy(m[2]!) } : { word: '', rest: '' };
}

/** `#12`, `＃12`, `12` → 12. */
export function parseId(word: string): number | undefined {
  const m = /^#?(\d{1,10})$/.exec(digits(word).replace(/^＃/, '#'));
  const r = IdSchema.safeParse(m ? Number(m[1]) : NaN);
  return r.success ? r.data : undefined;
}

/** The item id that starts the text, and the text after it. */
export function takeId(text: string): Got<{ id: number; rest: string }> {
  const { word, rest } = firstWord(text);
  const id = parseId(word);
  if (id !== undefined) return ok({ id, rest });
  if (word.startsWith('#')) return err(`编号无效：${word}（应为 #12 或 12）`);
  return err('缺少编号（例如 #12）');
}

/** Like takeId, for commands where the id may be left out. */
export function takeOptionalId(text: string): Got<{ id?: number; rest: string }> {
  const { word, rest } = firstWord(text);
  const id = parseId(word);
  if (id !== undefined) return ok({ id, rest });
  if (word.startsWith('#')) return err(`编号无效：${word}（应为 #12 或 12）`);
  return ok({ rest: text.trim() });
}

/** `60%`, `60％`, `60` → 60, checked to be a whole number 0–100. */
export function takePct(text: string): Got<{ pct: number; rest: string }> {
  const { word, rest } = firstWord(text);
  if (word === '') return err('缺少进度百分比（例如 60%）');
  const m = /^(-?\d+(?:\.\d+)?)[%％]?$/.exec(digits(word));
  if (!m) return err(`无法识别的进度：${word}（例如 60%）`);
  const r = PctSchema.safeParse(Number(m[1]));
  return r.success ? ok({ pct: r.data, rest }) : err(`${r.error.issues[0]?.message ?? '进度无效'}：${word}`);
}

function lookup<T extends string>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  return Object.hasOwn(table, word.toLowerCase()) ? table[word.toLowerCase()] : undefined;
}

const PRIORITY: Readonly<Record<string, Priority>> = {
  高: 'high', high: 'high', h: 'high', 中: 'medium', medium: 'medium', m: 'medium', 低: 'low', low: 'low', l: 'low',
};
const SEVERITY: Readonly<Record<string, Severity>> = {
  一般: 'normal', normal: 'normal', 重要: 'major', major: 'major', 紧急: 'critical', critical: 'critical',
};
const ROLE: Readonly<Record<string, 'main' | 'sub'>> = {
  main: 'main', 主: 'main', 总: 'main', 总对接人: 'main', 主对接人: 'main', sub: 'sub', 子: 'sub', 子对接人: 'sub',
};
const FILTER: Readonly<Record<string, ListFilter>> = {
  mine: 'mine', 我的: 'mine', overdue: 'overdue', 逾期: 'overdue', 超期: 'overdue', open: 'open', 进行中: 'open',
  未完成: 'open', 未关闭: 'open', all: 'all', 全部: 'all', 所有: 'all',
};
const FORMAT: Readonly<Record<string, ExportFormat>> = {
  xlsx: 'xlsx', excel: 'xlsx', csv: 'csv', md: 'md', markdown: 'md',
};

export function priority(word: string): Got<Priority> {
  const p = lookup(PRIORITY, word);
  return p ? ok(p) : err(`无效的优先级：${word}（可选：高/中/低 或 high/medium/low）`);
}

export function severity(word: string): Got<Severity> {
  const s = lookup(SEVERITY, word);
  return s ? ok(s) : err(`无效的严重程度：${word}（可选：一般/重要/紧急 或 normal/major/critical）`);
}

export function role(word: string): Got<'main' | 'sub'> {
  const r = lookup(ROLE, word);
  return r ? ok(r) : err(`无效的角色：${word}（可选：主/子 或 main/sub）`);
}

export function listFilter(word: string): ListFilter | undefined {
  return lookup(FILTER, word);
}

export function exportFormat(word: string): ExportFormat | undefined {
  return lookup(FORMAT, word);
}

/**
 * Removes flag words (`紧急`, `urgent`, `【紧急】`) standing as whole words at the start or end
 * of the text, so "处理紧急问题" and "is this urgent for you" are left alone.
 */
/** Marks a record internal: it never reaches a group linked as 外部. */
export const INTERNAL_WORDS = ['内部', 'internal'];

export function takeFlag(text: string, words: readonly string[]): { found?: string; rest: string } {
  const flag = (w: string | undefined) => {
    const bare = w?.replace(/^[【[](.*)[】\]]$/, '$1').toLowerCase();
    return bare !== undefined && words.includes(bare) ? bare : undefined;
  };
  let rest = text.trim();
  let found: string | undefined;
  for (const edge of [/^(\S+)(?:\s+|$)/, /(?:^|\s+)(\S+)$/]) {
    let m: RegExpExecArray | null;
    let f: string | undefined;
    while ((m = edge.exec(rest)) && (f = flag(m[1])) !== undefined) {
      found ??= f;
      rest = rest.slice(0, m.index) + rest.slice(m.index + m[0].length);
    }
  }
  return { found, rest: tidy(rest) };
}

/** Text left over where a command takes none. */
export function noExtra(rest: string): Got<void> {
  return rest.trim() === '' ? ok(undefined) : err(`多余的内容：${rest.trim()}`);
}
