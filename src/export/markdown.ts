// Markdown: a heading with what the archive covers, then a heading and a table per seed table.

import { cellText } from './cell-text.ts';
import type { Table } from './types.ts';

export interface MarkdownMeta {
  title: string;
  /** "- key：value" lines under the title. */
  facts: Array<[string, string]>;
  timezone: string;
}

/** One table cell: pipes and backslashes escaped, line breaks kept as <br>, no raw HTML. */
export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, '<br>');
}

export function writeMarkdown(tables: Table[], meta: MarkdownMeta): Buffer {
  const out: string[] = [`# ${meta.title}`, '', ...meta.facts.map(([k, v]) => `- ${k}：${v}`), ''];
  for (const t of tables) {
    out.push(`## ${t.name}`, '');
    out.push(`| ${t.columns.map((c) => mdCell(c.header)).join(' | ')} |`);
    out.push(`|${t.columns.map(() => ' --- ').join('|')}|`);
    for (const r of t.rows) out.push(`| ${r.map((c) => mdCell(cellText(c, meta.timezone))).join(' | ')} |`);
    if (t.rows.length === 0) out.push('', '（无记录）');
    out.push('');
  }
  return Buffer.from(out.join('\n'), 'utf8');
}
