import { describe, expect, it } from 'vitest';
import { ASK_TRANSITIONS, ISSUE_TRANSITIONS, MINUTES_TRANSITIONS, TASK_TRANSITIONS } from '../../src/domain/item.machines.ts';
import { type Transition, decide } from '../../src/domain/machine.ts';

type Table = readonly Transition<string, string, string, string>[];
const TABLES: Array<[string, Table]> = [
  ['task', TASK_TRANSITIONS],
  ['ask', ASK_TRANSITIONS],
  ['issue', ISSUE_TRANSITIONS],
  ['minutes', MINUTES_TRANSITIONS],
];

const allGuards = (t: Table, value: boolean) => Object.fromEntries(t.flatMap((r) => (r.guard ? [[r.guard, value]] : [])));

describe.each(TABLES)('%s transitions', (_kind, table) => {
  const rows = table.flatMap((r) => r.from.map((from) => ({ ...r, from })));

  it.each(rows.map((r) => [`${r.from} --${r.action}--> ${r.to} (${r.who.join('|')}${r.guard ? `, ${r.guard}` : ''})`, r] as const))(
    '%s',
    (_name, r) => {
      // Only this row's guard holds, so rows sharing (from, action) are told apart.
      const guards = { ...allGuards(table, false), ...(r.guard ? { [r.guard]: true } : {}) };
      const d = decide(table, r.from, r.action, new Set(r.who), guards);
      expect(d).toMatchObject({ ok: true, to: r.to });
      // Anyone without the role is refused, naming who may act.
      expect(decide(table, r.from, r.action, new Set(['someone-else']), allGuards(table, true))).toMatchObject({ ok: false, reason: 'forbidden' });
      // A failing guard is refused with the guard's name.
      const sameStep = table.filter((o) => o.action === r.action && o.from.includes(r.from));
      if (r.guard && sameStep.length === 1) {
        expect(decide(table, r.from, r.action, new Set(r.who), allGuards(table, false))).toEqual({ ok: false, reason: 'guard', guard: r.guard });
      }
    },
  );

  it('every other (state, action) pair is not allowed', () => {
    const states = [...new Set(table.flatMap((r) => [...r.from, r.to]))];
    const actions = [...new Set(table.map((r) => r.action))];
    const roles = new Set(table.flatMap((r) => r.who));
    for (const s of states) {
      for (const a of actions) {
        if (table.some((r) => r.action === a && r.from.includes(s))) continue;
        expect(decide(table, s, a, roles, allGuards(table, true))).toEqual({ ok: false, reason: 'not_allowed' });
      }
    }
  });
});
