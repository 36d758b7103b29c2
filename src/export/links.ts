// Signed, expiring download links for archives. A token is base64url(JSON payload) "."
// base64url(HMAC-SHA256(key, payload part)); verification is pure (now is an argument),
// checks the MAC in constant time before reading anything, then the expiry.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/connection.ts';
import { settingsOf } from '../db/settings.ts';

export const LinkPayloadSchema = z
  .object({
    chatId: z.string().min(1),
    itemId: z.number().int().positive().optional(),
    /** A month's archive ('YYYY-MM', the monthly summary's link): the items active that month. */
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional(),
    format: z.enum(['xlsx', 'csv', 'md']),
    /** Expiry, ms since epoch. */
    exp: z.number().int(),
  })
  .strict()
  .refine((p) => p.itemId === undefined || p.month === undefined, 'an item or a month, not both');
export type LinkPayload = z.infer<typeof LinkPayloadSchema>;

export type LinkCheck = LinkPayload | 'expired' | 'invalid';

const SECRET_KEY = 'link_secret';
// Binds the MAC to this use, so the key could never vouch for another kind of token.
const CONTEXT = 'groupflow/export-link/v1\n';
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAC_BYTES = 32;

function mac(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).update(body).digest();
}

function asKey(secret: Buffer | string): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

export function signLink(secret: Buffer | string, payload: LinkPayload): string {
  const clean = LinkPayloadSchema.parse(payload);
  const body = Buffer.from(JSON.stringify(clean), 'utf8').toString('base64url');
  return `${body}.${mac(asKey(secret), body).toString('base64url')}`;
}

export function verifyLink(secret: Buffer | string, token: string, now: Date | number): LinkCheck {
  if (typeof token !== 'string' || token.length > 4096) return 'invalid';
  const parts = token.split('.');
  if (parts.length !== 2) return 'invalid';
  const [body, sig] = parts as [string, string];
  if (!B64URL.test(body) || !B64URL.test(sig)) return 'invalid';
  const given = Buffer.from(sig, 'base64url');
  // Canonical encoding only: a re-encoded signature with stray bits is a different token.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== sig) return 'invalid';
  if (!timingSafeEqual(given, mac(asKey(secret), body))) return 'invalid';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return 'invalid';
  }
  const parsed = LinkPayloadSchema.safeParse(json);
  if (!parsed.success) return 'invalid';
  const t = typeof now === 'number' ? now : now.getTime();
  return t >= parsed.data.exp ? 'expired' : parsed.data;
}

/** The signing key: 32 random bytes made on first use and kept in `settings` ('link_secret'). */
export function getLinkSecret(db: Db): Buffer {
  const settings = settingsOf(db);
  let value = settings.get(SECRET_KEY);
  if (!value) {
    // Two processes racing both write only if absent, then both read the one winner.
    settings.setIfAbsent(SECRET_KEY, randomBytes(32).toString('base64url'));
    value = settings.get(SECRET_KEY)!;
  }
  return Buffer.from(value, 'base64url');
}
