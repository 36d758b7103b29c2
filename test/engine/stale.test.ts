import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/db/repo.ts';
import { cardIsStale } from '../../src/engine/stale.ts';

const row = (o: Partial<AuditRow> & { v?: number }): AuditRow =>
  ({ id: 1, itemId: 1, at: 0, actorId: 'u:a', action: 'confirm', fromState: 'pending', toState: 'pending', ...o, detail: o.v === undefined ? {} : { v: o.v } }) as AuditRow;

describe('cardIsStale', () => {
  const created = row({ action: 'create', fromState: null, toState: 'pending', v: 1 });

  it('a card at the current version is never stale', () => {
    expect(cardIsStale([created], 1, 1, 'u:b')).toBe(false);
  });

  it("another person's same-state change since the card leaves it current", () => {
    expect(cardIsStale([created, row({ actorId: 'u:c', v: 2 })], 1, 2, 'u:b')).toBe(false);
  });

  it('a state change, a deadline or owner change, or the clicker’s own change makes it stale', () => {
    expect(cardIsStale([created, row({ actorId: 'u:c', toState: 'objected', v: 2 })], 1, 2, 'u:b')).toBe(true);
    expect(cardIsStale([created, row({ actorId: 'u:a', action: 'due', v: 2 })], 1, 2, 'u:b')).toBe(true);
    expect(cardIsStale([created, row({ actorId: 'u:a', action: 'assign', v: 2 })], 1, 2, 'u:b')).toBe(true);
    expect(cardIsStale([created, row({ actorId: 'u:b', action: 'object', toState: 'pending', v: 2 })], 1, 2, 'u:b')).toBe(true);
  });

  it('changes the card already showed do not count; a change of unknown version does', () => {
    expect(cardIsStale([created, row({ toState: 'objected', v: 2 }), row({ actorId: 'u:c', v: 3 })], 2, 3, 'u:b')).toBe(false);
    expect(cardIsStale([row({ action: 'create', fromState: null, toState: 'pending' }), row({ actorId: 'u:c', v: 2 })], 1, 2, 'u:b')).toBe(true);
  });
});
