// The sandbox's Platform: "sending" stores the neutral message as a row of the page's chat and
// tells the live listeners. A card with `update` replaces its earlier row in place.

import type { Outbound } from '../../domain/chat.ts';
import type { Clock } from '../../domain/clock.ts';
import { type Platform, PlatformError, type SendContext, type SendResult } from '../platform.ts';
import type { LiveHub } from './sandbox.live.ts';
import type { SandboxStore } from './sandbox.store.ts';

export class SandboxPlatform implements Platform {
  readonly name = 'sandbox' as const;

  constructor(
    private readonly store: SandboxStore,
    private readonly live: LiveHub,
    private readonly clock: Clock,
    /** What starts and stops with the platform (listening to other instances' live events). */
    private readonly lifecycle?: { start(): void; stop(): Promise<void> },
  ) {}

  async start(): Promise<void> {
    this.lifecycle?.start();
  }

  async stop(): Promise<void> {
    await this.lifecycle?.stop();
  }

  async send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    if (!this.store.chat(msg.chatId)) {
      throw new PlatformError('sandbox', 'unknown_chat', `no sandbox chat ${msg.chatId}`, false);
    }
    const at = this.clock.now().getTime();
    const updateId = msg.body.type === 'card' && msg.body.update && ctx.updateMessageId ? Number(ctx.updateMessageId) : undefined;
    const updated = updateId !== undefined && Number.isInteger(updateId) ? this.store.updateMessage(updateId, msg.chatId, msg.body, at) : undefined;
    // An update whose original row is gone (or unknown) is shown as a new message instead.
    const row =
      updated ??
      this.store.addMessage({ chatId: msg.chatId, senderId: null, body: msg.body, replyTo: replyRow(msg.replyTo), at });
    this.live.publish({ type: 'message', chatId: row.chatId, rev: row.rev });
    return { platformMessageId: String(row.id) };
  }
}

function replyRow(replyTo: string | undefined): number | null {
  const n = Number(replyTo);
  return replyTo !== undefined && Number.isInteger(n) && n > 0 ? n : null;
}
