// `npm run reminders -- [--chat <id>] [--limit N]`: lists what will fire when (ops view).

import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/load.ts';
import { WorkCalendar } from '../domain/calendar.ts';
import { systemClock } from '../domain/clock.ts';
import { openConfigured, SHORT_LIVED, runMigrations } from '../db/connection.ts';
import { Repo } from '../db/repo.ts';
import { closeDatabase } from '../db/maintenance.ts';
import { fmtTime } from '../engine/format.ts';
import { Scheduler } from './scheduler.ts';

const RULE: Record<string, string> = {
  headsup: '临近时限提醒 heads-up',
  ping: '超时提醒 ping',
  'due-soon': '截止前提醒 due soon',
  'due-today': '当天截止 due today',
  overdue: '逾期提醒 overdue',
  milestone: '里程碑前一个工作日 milestone',
  announce: '重大里程碑预告 announce',
  nudge: '进度催更 nudge',
  digest: '周报 digest',
};

try {
  const { values } = parseArgs({ options: { chat: { type: 'string' }, limit: { type: 'string', default: '200' } } });
  const config = loadConfig();
  const db = openConfigured(config.database, SHORT_LIVED);
  runMigrations(db);
  const repo = new Repo(db);
  const scheduler = new Scheduler({ repo, config, clock: systemClock, calendar: new WorkCalendar({ ...config.calendar }), log: pino({ level: 'silent' }) });
  const rows = scheduler.upcoming(values.chat, Number(values.limit));
  const tz = config.calendar.timezone;
  if (rows.length === 0) console.log('没有待发送的提醒 / no pending reminders');
  for (const r of rows) {
    const item = r.itemId !== null ? repo.getItem(r.itemId) : undefined;
    console.log(
      [fmtTime(r.fireAt, tz), r.urgent ? '【紧急】' : '', RULE[r.rule] ?? r.rule, r.round > 1 ? `#${r.round}` : '', r.chatId, item ? `#${item.id} ${item.title}` : '']
        .filter(Boolean)
        .join('  '),
    );
  }
  closeDatabase(db);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
