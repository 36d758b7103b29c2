// The fair pick of the outbox: which chats may send their next message now. Chats take turns
// (the one served longest ago first, a chat never served before ahead of all that were), each
// under its own send budget, the app-wide budget shared. A chat whose budget is spent is skipped,
// never waited on, so a chat working through a long backlog at its own pace cannot delay
// another chat's first message.

import type { RateLimiter } from './rate-limit.ts';

export interface ChatHead {
  /** The chat's oldest pending outbox row. */
  id: number;
  platform: string;
  chatId: string;
}

export interface FairPick<T extends ChatHead> {
  /** Chats that got a send slot, in turn order (the slots are taken). */
  send: T[];
  /** Milliseconds until the earliest skipped chat has a slot; undefined when none was skipped. */
  waitMs: number | undefined;
}

export class FairPicker {
  private readonly lastServed = new Map<string, number>();
  private turn = 0;

  constructor(private readonly limiter: RateLimiter) {}

  /** Takes a slot for every ready chat whose budget allows it, in turn order. */
  pick<T extends ChatHead>(ready: readonly T[], now: number): FairPick<T> {
    const send: T[] = [];
    let waitMs: number | undefined;
    for (const head of this.inTurn(ready)) {
      const wait = this.limiter.acquire(head.platform, head.chatId, now);
      if (wait > 0) {
        waitMs = Math.min(waitMs ?? wait, wait);
        continue;
      }
      this.lastServed.set(head.chatId, ++this.turn);
      send.push(head);
    }
    return { send, waitMs };
  }

  /** Forgets the turns of chats with nothing pending, so the map stays as small as the backlog. */
  keepOnly(chatIds: ReadonlySet<string>): void {
    for (const id of this.lastServed.keys()) if (!chatIds.has(id)) this.lastServed.delete(id);
  }

  private inTurn<T extends ChatHead>(ready: readonly T[]): T[] {
    const turnOf = (h: T) => this.lastServed.get(h.chatId) ?? 0;
    return [...ready].sort((a, b) => turnOf(a) - turnOf(b) || a.id - b.id);
  }
}
