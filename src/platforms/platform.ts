// The port every platform adapter implements. The engine and the outbox dispatcher only talk
// to this interface; wire formats stay inside each adapter folder.

import type { Outbound, PlatformName } from '../domain/chat.ts';

export interface SendResult {
  /** The platform's id of the message that now exists (used for in-place card updates). */
  platformMessageId: string;
}

export interface SendContext {
  /** Stable key for the platform's idempotency field (Feishu `uuid`, DingTalk outTrackId…). */
  idempotencyKey: string;
  /** For `card` messages with `update: true`: the platform message id of the card to replace. */
  updateMessageId?: string;
}

export interface Platform {
  readonly name: PlatformName;
  /** Delivers one outbox row. Throws `PlatformError` on failure. */
  send(msg: Outbound, ctx: SendContext): Promise<SendResult>;
  /** Starts long-lived connections (long connection / Stream mode), if any. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** The long-lived inbound connections this platform keeps open, for /readyz and /metrics. */
  connections?(): ConnectionStatus[];
}

/** idle: not started · connecting · connected · waiting: to retry after a failure · stopped. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export interface ConnectionStatus {
  /** How events arrive on it: `longconn` (Feishu), `stream` (DingTalk). */
  transport: string;
  state: ConnectionState;
  /** Connection attempts after the first one (restarts and reconnects), since start. */
  reconnects: number;
}

/** A failed platform call: which platform, the vendor's code and message, and whether to retry. */
export class PlatformError extends Error {
  constructor(
    readonly platform: PlatformName,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** Milliseconds the platform asked us to wait (rate-limit reset), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(`${platform} ${code}: ${message}`);
    this.name = 'PlatformError';
  }
}
