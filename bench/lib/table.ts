// The one table `npm run bench` prints (Markdown, so bench/README.md can carry it as printed).

export interface Row {
  figure: string;
  result: string;
  vsBare?: string;
  vsSdk?: string;
  target?: string;
  met?: boolean;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function markdownTable(rows: Row[]): string {
  const head = ['Figure', 'Result', '÷ bare (a)', '÷ SDK (d)', 'Target', ''];
  const lines = [`| ${head.join(' | ')} |`, '|---|---:|---:|---:|---|:-:|'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? '✓' : '✗';
    lines.push(`| ${[r.figure, r.result, r.vsBare ?? '', r.vsSdk ?? '', r.target ?? '', met].map(esc).join(' | ')} |`);
  }
  return lines.join('\n');
}

export const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
export const ms = (x: number, d = 2) => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : '—');
export const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
