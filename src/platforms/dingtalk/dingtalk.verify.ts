// Pure request verification for DingTalk callbacks. `now` is an argument so tests and replays
// decide the time; nothing here reads a clock or logs.

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The clock-skew window DingTalk allows between its `timestamp` header and our clock.
 * https://open.dingtalk.com/document/orgapp/receive-message ("|now − timestamp| ≤ 1 hour")
 */
export const SKEW_WINDOW_MS = 3_600_000;

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface SignedHeaders {
  timestamp: string | undefined;
  sign: string | undefined;
}

/**
 * Robot message callbacks: `sign` = Base64(HMAC-SHA256(key = appSecret, msg = timestamp + "\n" + appSecret)).
 * The signature covers only the timestamp (never the body), so callers must still dedupe on msgId.
 * https://open.dingtalk.com/document/orgapp/receive-message
 */
export function verifyRobotSign(h: SignedHeaders, appSecret: string, now: number): VerifyResult {
  return verify(h, appSecret, now, (ts) => `${ts}\n${appSecret}`);
}

/**
 * HTTP card callbacks registered with an `apiSecret`: `x-ddpaas-signature` =
 * Base64(HMAC-SHA256(key = apiSecret, msg = decimal timestamp)).
 * https://open.dingtalk.com/document/development/event-callback-card
 */
export function verifyCardSign(h: SignedHeaders, apiSecret: string, now: number): VerifyResult {
  return verify(h, apiSecret, now, (ts) => ts);
}

function verify(h: SignedHeaders, secret: string, now: number, message: (ts: string) => string): VerifyResult {
  const { timestamp, sign } = h;
  if (!timestamp || !sign || !secret) return { ok: false, reason: 'missing' };
  // The header is epoch milliseconds as digits; anything else (re-formatted, signed, fractional) fails.
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed' };
  if (Math.abs(now - Number(timestamp)) > SKEW_WINDOW_MS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(createHmac('sha256', secret).update(message(timestamp), 'utf8').digest('base64'), 'ascii');
  // The exact canonical Base64 text DingTalk sends, compared as bytes: a lenient decode would let
  // other spellings of the same bytes through (no or extra padding, unused trailing bits set,
  // the URL-safe alphabet, whitespace), and a URL-encoded value simply differs.
  const given = Buffer.from(sign, 'utf8');
  if (given.length !== expected.length) return { ok: false, reason: 'mismatch' };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
