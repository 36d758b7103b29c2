// Which chat and item a platform message (a card we sent) belongs to.

import type { Repo } from './repo.ts';

export interface CardPlace {
  chatId: string;
  itemId: number | null;
}

/** The chat and item of the card sent as `platformMessageId`; undefined when it is not ours. */
export function cardPlaceOfMessage(repo: Repo, platform: string, platformMessageId: string): CardPlace | undefined {
  return repo
    .statement('select chat_id as chatId, item_id as itemId from card_refs where platform = ? and platform_message_id = ?')
    .get(platform, platformMessageId) as CardPlace | undefined;
}
