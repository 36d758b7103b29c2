// Whether a clicked card is too old to act on. Every change bumps the item's version, but not
// every change makes another person's card wrong: when one contact confirms, the other contacts'
// cards (not yet redrawn, perhaps held back by the platform's rate limit) still ask the right
// question. A card is stale once something it showed has changed since it was drawn: the state,
// the deadline or owner, or the clicker's own part (their earlier click, a replayed objection).

import type { AuditRow } from '../db/repo.ts';

/** Changes outside a transition that alter what every card of the item asks people to agree to. */
const MATERIAL = new Set(['due', 'assign', 'delay_ok']);

/** The item version an audit row produced (recorded with it; absent on rows from older versions). */
export const VERSION_KEY = 'v';

export function cardIsStale(history: readonly AuditRow[], cardVersion: number, itemVersion: number, actorId: string): boolean {
  if (cardVersion >= itemVersion) return false;
  for (const row of history) {
    const v = row.detail[VERSION_KEY];
    // Without the version a change produced, nothing shows it came before the card: stale.
    if (typeof v !== 'number') return true;
    if (v <= cardVersion) continue;
    if (row.fromState !== row.toState || row.actorId === actorId || MATERIAL.has(row.action)) return true;
  }
  return false;
}
