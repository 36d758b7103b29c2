// The seed tables, in the order of the process (需求 → 复盘).

import type { Snapshot, Table, TableSpec } from '../types.ts';
import { acceptanceTable } from './acceptance.ts';
import { commsTable } from './comms.ts';
import { contactsTable } from './contacts.ts';
import { issuesTable } from './issues.ts';
import { minutesTable } from './minutes.ts';
import { progressTable } from './progress.ts';
import { requestsTable } from './requests.ts';
import { retroTable } from './retro.ts';
import { tasksTable } from './tasks.ts';

export const TABLES: readonly TableSpec[] = [
  requestsTable,
  contactsTable,
  tasksTable,
  progressTable,
  commsTable,
  issuesTable,
  minutesTable,
  acceptanceTable,
  retroTable,
];

export function buildTables(s: Snapshot): Table[] {
  return TABLES.map((t) => ({ name: t.name, columns: t.columns, rows: t.rows(s) }));
}
