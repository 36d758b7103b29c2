// `npm run sla -- --since 2026-11-01 [--until 2026-12-01] [--chat <id>]`: the SLA compliance table
// (met, breached, median and P90 response time per person, type, chat and week) in a terminal,
// the same numbers /周报 and the archive's SLA sheet show. Dates are days in calendar.timezone;
// --until is exclusive and defaults to now.

import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.ts';
import { WorkCalendar } from '../domain/calendar.ts';
import { systemClock } from '../domain/clock.ts';
import { openConfigured, SHORT_LIVED, runMigrations } from '../db/connection.ts';
import { Repo } from '../db/repo.ts';
import { closeDatabase } from '../db/maintenance.ts';
import { fmtTime } from '../engine/format.ts';
import { compliance, complianceText, slaLabeller } from '../engine/sla.ts';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

try {
  const { values } = parseArgs({ options: { since: { type: 'string' }, until: { type: 'string' }, chat: { type: 'string' } } });
  if (!values.since || !DAY_RE.test(values.since) || (values.until !== undefined && !DAY_RE.test(values.until))) {
    console.error('用法 / usage: npm run sla -- --since YYYY-MM-DD [--until YYYY-MM-DD] [--chat <群 id>]');
    process.exit(2);
  }
  const config = loadConfig();
  const calendar = new WorkCalendar({ ...config.calendar });
  const db = openConfigured(config.database, SHORT_LIVED);
  runMigrations(db);
  const repo = new Repo(db);
  const now = systemClock.now();
  const since = calendar.at(values.since, '00:00');
  const until = values.until ? calendar.at(values.until, '00:00') : now;
  const table = compliance(repo, config, calendar, since, until, now, values.chat);
  const tz = config.calendar.timezone;
  console.log(`SLA 达标 ${fmtTime(since, tz)} → ${fmtTime(until, tz)}${values.chat ? `  ${values.chat}` : ''}`);
  console.log(table.total.met + table.total.breached ? complianceText(table, slaLabeller(repo, config, table)) : '这段时间没有到期的响应时限 / no clock was decided in this period');
  closeDatabase(db);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
