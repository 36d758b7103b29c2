// `npm run db:copy -- --from <file or postgres://…> --to <file or postgres://…>`: moves an
// installation to another database (stop the bot first). The target is migrated, must hold no
// data, and gets every row; the source is only read.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closeDatabase } from './maintenance.ts';
import { copyDatabase } from './copy.ts';
import { describeTarget, openConfigured, runMigrations, SHORT_LIVED, type DatabaseTarget } from './connection.ts';

const target = (where: string): DatabaseTarget => (/^postgres(ql)?:\/\//.test(where) ? { file: '', url: where } : { file: where });

try {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) throw new Error('用法 / usage: npm run db:copy -- --from data/groupflow.db --to postgres://user:pass@host:5432/groupflow');
  const from = target(values.from);
  const to = target(values.to);
  if (!from.url && !existsSync(from.file)) throw new Error(`找不到源数据库文件 / no such database file: ${from.file}`);
  const src = openConfigured(from, SHORT_LIVED);
  const dst = openConfigured(to, SHORT_LIVED);
  runMigrations(dst);
  const report = copyDatabase(src, dst, (name, rows) => console.log(`  ${name}: ${rows}`));
  closeDatabase(src);
  closeDatabase(dst);
  const total = report.tables.reduce((n, t) => n + t.rows, 0);
  console.log(`复制完成 / copied ${total} rows from ${describeTarget(from)} to ${describeTarget(to)}`);
} catch (err) {
  console.error(`复制失败 / copy failed: ${(err as Error).message}`);
  process.exit(1);
}
