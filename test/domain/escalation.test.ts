import { describe, expect, it } from 'vitest';
import { type Rule, escalationStep } from '../../src/domain/reminders.ts';

const DEFAULTS = { escalateAfter: 2, leaderAfter: 2 };

describe('escalationStep: owner → initiator and 总对接人 → leader', () => {
  const cases: Array<[Rule, number, boolean, 0 | 1 | 2]> = [
    ['ping', 1, false, 0],
    ['ping', 2, false, 0],
    ['ping', 3, false, 1],
    ['ping', 4, false, 1],
    ['ping', 5, false, 2],
    ['ping', 9, true, 2], // urgent response clocks climb like ordinary ones, only faster
    ['ping', 1, true, 0],
    ['overdue', 1, false, 0],
    ['overdue', 3, false, 1],
    ['overdue', 5, false, 2],
    ['stage', 2, false, 0],
    ['stage', 3, false, 1],
    ['stage', 5, false, 2],
    ['stage', 1, true, 2], // a 紧急 stage reaches the leader at its first missed ping
    ['headsup', 9, false, 0],
    ['due-soon', 9, false, 0],
  ];
  it.each(cases)('%s round %i (urgent %s) → step %i', (rule, round, urgent, step) => {
    expect(escalationStep(rule, round, DEFAULTS, urgent)).toBe(step);
  });

  it('follows the configured counts', () => {
    const r = { escalateAfter: 1, leaderAfter: 3 };
    expect([1, 2, 3, 4, 5, 6].map((n) => escalationStep('overdue', n, r))).toEqual([0, 1, 1, 1, 2, 2]);
  });
});
