// Which chat and item a platform message (a card we sent) belongs to.

import type { Repo } from './repo.ts';

export interface CardPlace {
  chatId: string;
  itemId: number | null;
}

/** An id the bot chose itself for a message (the outbox row's idempotency key): `gf-<created, base 36>-<row id>`. */
const OWN_ID = /^gf-([0-9a-z]+)-(\d+)$/;

/**
 * The chat and item of the card sent as `platformMessageId`; undefined when it is not ours.
 * Where the platform takes our own id for the card (DingTalk's outTrackId), a click can come
 * before the send's answer has been recorded — for as long as an instance that died mid-send
 * holds the chat's lease — so the outbox row the id names answers too.
 */
export function cardPlaceOfMessage(repo: Repo, platform: string, platformMessageId: string): CardPlace | undefined {
  const ref = repo
    .statement('select chat_id as chatId, item_id as itemId from card_refs where platform = ? and platform_message_id = ?')
    .get(platform, platformMessageId) as CardPlace | undefined;
  if (ref) return ref;
  const own = OWN_ID.exec(platformMessageId);
  if (!own) return undefined;
  return repo
    .statement('select chat_id as chatId, item_id as itemId from outbox where id = ? and created_at = ? and platform = ? and card_key is not null')
    .get(Number(own[2]), parseInt(own[1]!, 36), platform) as CardPlace | undefined;
}
