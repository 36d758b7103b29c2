// The facts a compliance report is computed from: the items whose clocks may have been decided
// since a date, with their transitions. One query each, rows by name.

import type { SlaEvent, SlaItem } from '../domain/sla.ts';
import type { Repo } from './repo.ts';

export interface SlaHistory {
  item: SlaItem;
  events: SlaEvent[];
}

// An item whose clock was decided after `since` was updated after it, or still has a clock.
const CANDIDATES = `select id from items where (updated_at >= @since or clock_at is not null) and (cast(@chat as text) is null or chat_id = @chat)`;

/** Every candidate item with its transitions, oldest first (`chatId` narrows to one chat). */
export function slaHistory(repo: Repo, since: number, chatId?: string): SlaHistory[] {
  const args = { since, chat: chatId ?? null };
  const items = repo
    .statement(`select id, kind, chat_id as chatId, urgent, initiator_id as initiatorId, owner_id as ownerId, process from items where id in (${CANDIDATES}) order by id`)
    .all(args) as (Omit<SlaItem, 'urgent'> & { urgent: number })[];
  const events = repo
    .statement(
      `select item_id as itemId, at, actor_id as actorId, from_state as fromState, to_state as toState, ${repo.db.sql.jsonInt('detail', 'clockAt')} as clockAt
       from audit where item_id in (${CANDIDATES}) order by item_id, id`,
    )
    .all(args) as (SlaEvent & { itemId: number })[];
  const byItem = new Map<number, SlaEvent[]>();
  for (const { itemId, ...e } of events) {
    const list = byItem.get(itemId);
    if (list) list.push(e);
    else byItem.set(itemId, [e]);
  }
  return items.map((i) => ({ item: { ...i, urgent: i.urgent === 1 }, events: byItem.get(i.id) ?? [] }));
}
