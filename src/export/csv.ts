// All tables in one CSV file: per table a title line, the header, the rows; a blank line between
// tables. UTF-8 with a BOM (Excel needs it to read Chinese), CRLF line ends (RFC 4180).

import { cellText } from './cell-text.ts';
import type { Table } from './types.ts';

const BOM = '\uFEFF';
// Text that a spreadsheet would run as a formula when the CSV is opened (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?%?$/;

export function csvField(text: string): string {
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function writeCsv(tables: Table[], tz: string): Buffer {
  const sections = tables.map((t) => {
    const lines = [csvField(t.name), t.columns.map((c) => csvField(c.header)).join(',')];
    for (const r of t.rows) lines.push(r.map((c) => csvField(cellText(c, tz))).join(','));
    return lines.join('\r\n');
  });
  return Buffer.from(BOM + sections.join('\r\n\r\n') + '\r\n', 'utf8');
}
