import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../src/db/connection.ts';
import { type LinkPayload, getLinkSecret, signLink, verifyLink } from '../../src/export/links.ts';

const SECRET = Buffer.alloc(32, 7);
const NOW = new Date('2026-11-14T10:00:00Z');
const PAYLOAD: LinkPayload = { chatId: 'feishu:oc_3f9a2b7c4d5e6f708192a3b4c5d6e7f8', itemId: 1, format: 'xlsx', exp: NOW.getTime() + 3600_000 };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Flips one character of a base64url string to another valid one. */
function flip(s: string, at: number): string {
  const c = s[at]!;
  return s.slice(0, at) + (c === 'A' ? 'B' : 'A') + s.slice(at + 1);
}

describe('signLink / verifyLink', () => {
  it('round-trips a payload before it expires', () => {
    const token = signLink(SECRET, PAYLOAD);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLink(SECRET, token, NOW)).toEqual(PAYLOAD);
    const noItem = { chatId: 'sandbox:g1', format: 'md' as const, exp: PAYLOAD.exp };
    expect(verifyLink(SECRET, signLink(SECRET, noItem), NOW.getTime())).toEqual(noItem);
  });

  it('is expired from the expiry instant on', () => {
    const token = signLink(SECRET, PAYLOAD);
    expect(verifyLink(SECRET, token, PAYLOAD.exp - 1)).toEqual(PAYLOAD);
    expect(verifyLink(SECRET, token, PAYLOAD.exp)).toBe('expired');
    expect(verifyLink(SECRET, token, PAYLOAD.exp + 86_400_000)).toBe('expired');
  });

  it.each([
    ['a tampered payload', (t: string) => flip(t, 5)],
    ['a tampered signature', (t: string) => flip(t, t.length - 5)],
    ['a truncated signature', (t: string) => t.slice(0, -2)],
    // The last of 43 characters carries 2 unused bits: flipping one decodes to the same MAC.
    ['a non-canonical signature encoding', (t: string) => t.slice(0, -1) + B64[B64.indexOf(t.at(-1)!) ^ 1]],
    ['no signature', (t: string) => t.split('.')[0]!],
    ['an extra part', (t: string) => `${t}.x`],
    ['foreign characters', (t: string) => `${t.slice(0, 3)}%2F${t.slice(3)}`],
    ['the empty string', () => ''],
  ])('refuses %s', (_what, mutate) => {
    const token = mutate(signLink(SECRET, PAYLOAD));
    expect(verifyLink(SECRET, token, NOW)).toBe('invalid');
  });

  it('the non-canonical variant really decodes to the same bytes (so only the encoding check refuses it)', () => {
    const sig = signLink(SECRET, PAYLOAD).split('.')[1]!;
    const variant = sig.slice(0, -1) + B64[B64.indexOf(sig.at(-1)!) ^ 1];
    expect(variant).not.toBe(sig);
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
  });

  it('refuses a token signed with another key, and an expired forgery is still invalid (not expired)', () => {
    const other = Buffer.alloc(32, 9);
    expect(verifyLink(SECRET, signLink(other, PAYLOAD), NOW)).toBe('invalid');
    expect(verifyLink(SECRET, signLink(other, { ...PAYLOAD, exp: 1 }), NOW)).toBe('invalid');
  });

  it('refuses a correctly signed body that is not a link payload', () => {
    const body = Buffer.from(JSON.stringify({ chatId: 'x', format: 'exe', exp: PAYLOAD.exp })).toString('base64url');
    const mac = createHmac('sha256', SECRET).update('groupflow/export-link/v1\n').update(body).digest('base64url');
    expect(verifyLink(SECRET, `${body}.${mac}`, NOW)).toBe('invalid');
    // The same construction with a valid payload is accepted, so the refusal above is the schema's.
    const good = Buffer.from(JSON.stringify(PAYLOAD)).toString('base64url');
    const goodMac = createHmac('sha256', SECRET).update('groupflow/export-link/v1\n').update(good).digest('base64url');
    expect(verifyLink(SECRET, `${good}.${goodMac}`, NOW)).toEqual(PAYLOAD);
  });
});

describe('getLinkSecret', () => {
  it('makes a random 32-byte key once and keeps it in settings', () => {
    const db = openTestDatabase();
    const a = getLinkSecret(db);
    expect(a).toHaveLength(32);
    expect(getLinkSecret(db).equals(a)).toBe(true);
    const rows = db.$client.prepare('select key, value from settings').all();
    expect(rows).toEqual([{ key: 'link_secret', value: a.toString('base64url') }]);
    expect(getLinkSecret(openTestDatabase()).equals(a)).toBe(false);
  });
});
