// A cell as text, for the CSV and Markdown writers (the xlsx writer keeps real dates/numbers).

import { fmtLocal } from './time.ts';
import { type Cell, isPct, isTime } from './types.ts';

export function cellText(c: Cell, tz: string): string {
  if (c === null) return '';
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return String(c);
  if (isTime(c)) return fmtLocal(c.at, tz);
  if (isPct(c)) return `${Math.round(c.pct)}%`;
  return '';
}
