// What happens to a verified DingTalk event, whichever way it arrived (HTTP or Stream):
// robot messages are stored durably (de-duplicated by msgId) and processed after the
// acknowledgement; card clicks go to the engine at once because DingTalk shows the answer.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { splitMentions } from '../../domain/chat.ts';
import { cardPlaceOfMessage } from '../../db/card-refs.ts';
import type { Core } from '../platform.ts';
import {
  decodeCardCallback,
  decodeRobotMessage,
  parseCardCallback,
  parseRobotMessage,
} from './dingtalk.inbound.ts';
import type { CallbackGate, WebhookBook } from './dingtalk.outbound.ts';
import { plainText } from './dingtalk.render.ts';
import type { CardCallback, CardCallbackResponse, RobotMessage } from './dingtalk.types.ts';

export const PLATFORM = 'dingtalk';

export interface HandlerDeps {
  core: Core;
  webhooks: WebhookBook;
  gate: CallbackGate;
  log: Logger;
}

export type Accepted = { ok: true; fresh: boolean; msgId: string } | { ok: false };

/** A robot message parsed from raw JSON text; undefined when the body is not one. */
function robotMessage(raw: string): RobotMessage | undefined {
  try {
    return parseRobotMessage(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/**
 * Stores a robot message (raw JSON text) at once, on its own, and schedules its processing after
 * the current tick, so the caller can acknowledge first (Stream mode, which acknowledges
 * synchronously). `{ok:false}` when the body is not a robot message.
 */
export function acceptRobotMessage(d: HandlerDeps, raw: string): Accepted {
  const m = robotMessage(raw);
  if (!m) return { ok: false };
  const fresh = d.core.inbound.acceptAndSchedule(PLATFORM, m.msgId, raw, m);
  if (!fresh) d.log.info({ msgId: m.msgId }, 'duplicate robot message ignored');
  return { ok: true, fresh, msgId: m.msgId };
}

/**
 * The same, stored with the other requests of this event-loop turn in one transaction (HTTP
 * mode): resolves once committed; rejects if it could not be stored.
 */
export async function submitRobotMessage(d: HandlerDeps, raw: string): Promise<Accepted> {
  const m = robotMessage(raw);
  if (!m) return { ok: false };
  const fresh = await d.core.inbound.submit(PLATFORM, m.msgId, raw, { parsed: m });
  if (!fresh) d.log.info({ msgId: m.msgId }, 'duplicate robot message ignored');
  return { ok: true, fresh, msgId: m.msgId };
}

/**
 * Processes a stored robot message: decode → remember the session webhook → engine. `parsed` is
 * the message as parsed when it was received (absent on recovery).
 */
export function processRobotMessage(d: HandlerDeps, payload: string, parsed?: unknown): void {
  const m = (parsed as RobotMessage | undefined) ?? parseRobotMessage(JSON.parse(payload));
  if (!m) return;
  const { repo, clock, engine } = d.core;
  const decoded = decodeRobotMessage(m, {
    receivedAt: clock.now(),
    knownName: (nick) => repo.findUserByName(nick, PLATFORM)?.id,
  });
  if (!decoded.ok) {
    d.log.info({ msgId: m.msgId, chatId: `dingtalk:${m.conversationId}`, reason: decoded.reason, msgtype: m.msgtype }, 'robot message not handled');
    return;
  }
  if (decoded.webhook && !d.webhooks.remember(decoded.message.chatId, decoded.webhook, clock.now().getTime())) {
    d.log.warn({ msgId: m.msgId, chatId: decoded.message.chatId }, 'session webhook does not point at platforms.dingtalk.oapiBase; ignored');
  }
  engine.handleMessage(decoded.message);
}

const STALE = '该卡片已失效或不属于本机器人。';

/**
 * Answers a card click: decode → engine → the answer DingTalk shows the clicker (private data,
 * so a refusal is seen only by the person refused). The card itself is updated for everyone
 * through the outbox, after this answer has gone out (see CallbackGate).
 * `release` must be called once the answer was sent.
 */
export function answerCardCallback(d: HandlerDeps, raw: unknown): { response: CardCallbackResponse; release: () => void } | undefined {
  const cb = parseCardCallback(raw);
  if (!cb) return undefined;
  const { repo, clock, engine } = d.core;
  const release = d.gate.hold(cb.outTrackId);
  const log = d.log.child({ outTrackId: cb.outTrackId });
  const ref = cardPlaceOfMessage(repo, PLATFORM, cb.outTrackId);
  const actorId = `dingtalk:${cb.userId}`;
  const action = ref
    ? decodeCardCallback(cb, {
        chatId: ref.chatId,
        itemId: ref.itemId ?? undefined,
        actorName: repo.userNames([actorId]).get(actorId),
        receivedAt: clock.now(),
      })
    : undefined;
  let notice = STALE;
  if (action) {
    const result = engine.handleCardAction({ ...action, replayKey: replayKey(cb) });
    log.info({ itemId: action.itemId, action: action.action, actor: actorId, ok: result.ok }, 'card action');
    const ids = splitMentions(result.toast).flatMap((s) => ('userId' in s ? [s.userId] : []));
    notice = plainText(result.toast, repo.userNames(ids));
  } else {
    log.warn({ known: !!ref }, 'card callback not understood');
  }
  return { response: noticeResponse(notice), release };
}

/**
 * A DingTalk card callback carries no id of its own (HTTP) or only the frame's (Stream, new on
 * every push): the card, the clicker and the content (button params with the card version, and
 * the form) identify one click. A second click on the updated card carries a newer version.
 */
function replayKey(cb: CardCallback): string {
  return createHash('sha256').update(`${cb.outTrackId}\n${cb.userId}\n${cb.content}`, 'utf8').digest('base64url');
}

export function noticeResponse(notice: string): CardCallbackResponse {
  return {
    userPrivateData: { cardParamMap: { notice } },
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
  };
}
