// Prints the README's command table from the command catalog (the single source of truth).
// `npx tsx scripts/command-table.ts` — a test checks that README.md carries every row.

import { COMMANDS } from '../src/commands/catalog.ts';

export function commandTable(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = COMMANDS.map(
    (c) => `| \`/${c.zh.join('` `/')}\` | \`/${c.en.join('` `/')}\` | ${esc(c.summary)} | \`${esc(c.example.split('\n')[0]!)}\` |`,
  );
  return ['| 中文 | English | 作用 / What it does | 示例 / Example |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(commandTable());
