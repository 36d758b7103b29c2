// Webhook request authentication, pure: no I/O, "now" is an argument. Decides whether a request
// to /feishu/events or /feishu/card comes from Feishu, and hands back the decrypted body.
//
// Encryption: https://open.larkoffice.com/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case
// Signature:  https://open.larkoffice.com/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server

import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

export interface FeishuSecrets {
  /** Encrypt Key; empty when the app sends plaintext. */
  encryptKey: string;
  /** Verification Token; empty to skip the token check (then an Encrypt Key is required). */
  verificationToken: string;
  /** Our App ID; a body naming another app is refused. Empty to skip. */
  appId: string;
}

export interface SignatureHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
}

export type Verdict =
  | { ok: true; kind: 'challenge'; challenge: string }
  /** `text` is the JSON text `body` was parsed from (decrypted when it was encrypted). */
  | { ok: true; kind: 'event'; body: Record<string, unknown>; text: string }
  | { ok: false; status: 400 | 401 | 403; reason: string };

/** Requests signed further than this from now are refused (replays). */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

// createHash, not crypto.hash: the one-shot form needs Node 20.12, engines says >= 20.
const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The AES-256 key: SHA-256 of the UTF-8 Encrypt Key. */
export function aesKey(encryptKey: string): Buffer {
  return sha256(encryptKey);
}

/**
 * SHA-256 of a configured secret, computed once per secret rather than per request: the Encrypt
 * Key's is the AES key, the verification token's is what a given token's digest is compared to.
 */
const secretDigests = new Map<string, Buffer>();
function secretDigest(secret: string): Buffer {
  let d = secretDigests.get(secret);
  if (!d) {
    if (secretDigests.size > 16) secretDigests.clear();
    d = sha256(secret);
    secretDigests.set(secret, d);
  }
  return d;
}

/** Decrypts `encrypt` = Base64(IV ‖ AES-256-CBC ciphertext, PKCS#7). Throws on any failure. */
export function decrypt(encrypt: string, encryptKey: string): string {
  const buf = Buffer.from(encrypt, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) throw new Error('bad ciphertext length');
  const d = createDecipheriv('aes-256-cbc', secretDigest(encryptKey), buf.subarray(0, 16));
  return Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8');
}

/** Lowercase hex SHA-256 over timestamp+nonce+encryptKey followed by the raw body bytes. */
export function signature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(body).digest('hex');
}

/** Constant-time string equality (digests first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Whether a hex signature header equals the expected hex digest (constant time over the digest). */
function signatureMatches(expectedHex: string, given: string): boolean {
  const want = Buffer.from(expectedHex, 'hex');
  const got = Buffer.from(given.trim(), 'hex');
  // A digest's length is public; anything but 64 hex digits decodes to another length.
  return got.length === want.length && given.trim().length === expectedHex.length && timingSafeEqual(got, want);
}

/** safeEqual against a configured secret, whose digest is computed once. */
function equalsSecret(given: string, secret: string): boolean {
  return timingSafeEqual(sha256(given), secretDigest(secret));
}

/**
 * Parses a request timestamp leniently, to ms: Unix seconds (the norm), ms or µs by digit count,
 * or a date string (one report saw Go `time.String()` on card callbacks). Undefined if hopeless.
 */
export function parseTimestamp(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (s.length <= 11) return n * 1000;
    if (s.length <= 14) return n;
    return Math.floor(n / 1000);
  }
  // "2024-01-02 15:04:05.123456 +0800 CST m=+0.1" → "2024-01-02T15:04:05.123+08:00"
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d*\s*(Z|[+-]\d{2}:?\d{2})?/.exec(s);
  if (!m) return undefined;
  const zone = m[4] ? (m[4] === 'Z' ? 'Z' : `${m[4].slice(0, 3)}:${m[4].slice(-2)}`) : 'Z';
  const t = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

export function isFresh(tsMs: number | undefined, now: Date, windowMs = TIMESTAMP_WINDOW_MS): boolean {
  return tsMs !== undefined && Math.abs(now.getTime() - tsMs) <= windowMs;
}

const refuse = (status: 400 | 401 | 403, reason: string): Verdict => ({ ok: false, status, reason });

const ENCRYPTED_ONLY = /^\{\s*"encrypt"\s*:\s*"([A-Za-z0-9+/=]*)"\s*\}\s*$/;

/** The body Feishu sends with an Encrypt Key, `{"encrypt":"<base64>"}`, read without JSON.parse. */
function parseOuter(text: string): Record<string, unknown> | undefined {
  const m = text.length < 1_000_000 ? ENCRYPTED_ONLY.exec(text) : null;
  return m ? { encrypt: m[1] } : parseObject(text);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function header(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const h = body.header;
  return typeof h === 'object' && h !== null ? (h as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Authenticates one webhook request.
 * - With an Encrypt Key: the body must be `{"encrypt":…}`; the signature over the raw bytes must
 *   match and its timestamp be fresh. The one exception is URL verification, which Feishu sends
 *   unsigned: it passes on the Verification Token alone (as the Go SDK's AuthByChallenge does).
 * - Without one: plaintext, authenticated by the Verification Token only.
 * - Then: the Verification Token (`header.token` in v2, `token` in v1 and the challenge) and the
 *   App ID must match when configured.
 * 400 = malformed, 401 = not signed by Feishu (or stale), 403 = signed, but not for this app.
 */
export function verifyRequest(rawBody: Buffer, headers: SignatureHeaders, secrets: FeishuSecrets, now: Date): Verdict {
  const outerText = rawBody.toString('utf8');
  const outer = parseOuter(outerText);
  if (!outer) return refuse(400, 'body is not a JSON object');

  let body = outer;
  let text = outerText;
  let signed = false;
  if (secrets.encryptKey) {
    const encrypt = str(outer.encrypt);
    if (encrypt === undefined) return refuse(401, 'plaintext body while an Encrypt Key is configured');
    const { timestamp, nonce, signature: sig } = headers;
    if (timestamp !== undefined && nonce !== undefined && sig !== undefined) {
      if (!signatureMatches(signature(timestamp, nonce, secrets.encryptKey, rawBody), sig)) {
        return refuse(401, 'signature mismatch');
      }
      signed = true;
    }
    let plain: string;
    try {
      plain = decrypt(encrypt, secrets.encryptKey);
    } catch {
      return signed ? refuse(400, 'cannot decrypt') : refuse(401, 'cannot decrypt an unsigned body');
    }
    const inner = parseObject(plain);
    if (!inner) return signed ? refuse(400, 'decrypted body is not a JSON object') : refuse(401, 'unsigned body');
    body = inner;
    text = plain;
    if (signed) {
      // The header is hashed as an opaque string; only its freshness needs a number.
      const ts = parseTimestamp(timestamp) ?? parseTimestamp(str(header(body)?.create_time));
      if (!isFresh(ts, now)) return refuse(401, 'timestamp outside the window');
    }
  } else if ('encrypt' in outer) {
    return refuse(400, 'encrypted body but no Encrypt Key is configured');
  }

  const isChallenge = body.type === 'url_verification';
  if (secrets.encryptKey && !signed && !isChallenge) return refuse(401, 'missing signature headers');

  const h = header(body);
  if (secrets.verificationToken) {
    const token = str(h?.token) ?? str(body.token);
    if (token === undefined || !equalsSecret(token, secrets.verificationToken)) return refuse(403, 'verification token mismatch');
  }
  const appId = str(h?.app_id);
  if (secrets.appId && appId !== undefined && appId !== secrets.appId) return refuse(403, 'event for another app');

  if (isChallenge) {
    const challenge = str(body.challenge);
    return challenge === undefined ? refuse(400, 'challenge without a challenge') : { ok: true, kind: 'challenge', challenge };
  }
  return { ok: true, kind: 'event', body, text };
}
