import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, type FeishuSecrets, isFresh, parseTimestamp, safeEqual, signature, verifyRequest } from '../../../src/platforms/feishu/feishu.verify.ts';
import { encryptBody, sign, signedRequest } from '../../fakes/feishu.wire.ts';

// The official vectors (feishu.md §9).
const VECTOR_KEY = 'test key';
const VECTOR_CIPHER = 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=';

const S: FeishuSecrets = { encryptKey: 'ek-unit', verificationToken: 'vt-unit', appId: 'cli_a1b2c3d4e5f60001' };
const NOW = new Date('2026-11-23T02:00:00Z');

const event = (over: Record<string, unknown> = {}) => ({
  schema: '2.0',
  header: { event_id: 'ev1', event_type: 'im.message.receive_v1', create_time: String(NOW.getTime()), token: S.verificationToken, app_id: S.appId, ...over },
  event: {},
});

function req(envelope: unknown, now = NOW, opts: { ts?: string } = {}) {
  const r = signedRequest(envelope, S, now, opts);
  return {
    raw: Buffer.from(r.payload),
    headers: { timestamp: r.headers['x-lark-request-timestamp'], nonce: r.headers['x-lark-request-nonce'], signature: r.headers['x-lark-signature'] },
  };
}

describe('feishu crypto vectors', () => {
  it('decrypts the official vector', () => {
    expect(decrypt(VECTOR_CIPHER, VECTOR_KEY)).toBe('hello world');
  });

  it('the test helper encrypts like Feishu (zero-IV vector), and it round-trips', () => {
    const body = encryptBody('{"challenge":"c1","token":"vt","type":"url_verification"}', VECTOR_KEY, Buffer.alloc(16));
    expect(JSON.parse(body)).toEqual({
      encrypt: 'AAAAAAAAAAAAAAAAAAAAAFRdxGwnLS757T0DbhEzHkibBhoZfjKd7qPMOY7KYi42RJHfIpxISXoGvlhVKGSs0h/XBpoiqBZFayxOyajMDPM=',
    });
    expect(decrypt(JSON.parse(body).encrypt, VECTOR_KEY)).toBe('{"challenge":"c1","token":"vt","type":"url_verification"}');
  });

  it('signs the official vector (SHA-256 over ts+nonce+key+raw body)', () => {
    const body = `{"encrypt":"${VECTOR_CIPHER}"}`;
    const want = '0c09d96c2aef2ad08179b3967ea410bbc91dab24ce3aec05af962cf1935844af';
    expect(signature('1700000000', 'abc', VECTOR_KEY, Buffer.from(body))).toBe(want);
    expect(sign('1700000000', 'abc', VECTOR_KEY, body)).toBe(want);
  });

  it('rejects ciphertext that is not whole blocks, or padded wrongly', () => {
    expect(() => decrypt('AAAA', VECTOR_KEY)).toThrow();
    const key = createHash('sha256').update('other', 'utf8').digest();
    const c = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
    const wrongKey = Buffer.concat([Buffer.alloc(16), c.update('hello'), c.final()]).toString('base64');
    expect(() => decrypt(wrongKey, VECTOR_KEY)).toThrow();
  });

  it('compares in constant time, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['1700000000', 1_700_000_000_000],
    ['1700000000123', 1_700_000_000_123],
    ['1700000000123456', 1_700_000_000_123],
    ['2023-11-14 22:13:20.123456 +0000 UTC m=+0.01', 1_700_000_000_123],
    ['2023-11-15 06:13:20 +0800 CST', 1_700_000_000_000],
    ['yesterday', undefined],
    ['', undefined],
  ])('%s', (v, want) => expect(parseTimestamp(v)).toBe(want));

  it('isFresh: within ±5 minutes of now', () => {
    expect(isFresh(NOW.getTime() - 299_000, NOW)).toBe(true);
    expect(isFresh(NOW.getTime() + 299_000, NOW)).toBe(true);
    expect(isFresh(NOW.getTime() - 301_000, NOW)).toBe(false);
    expect(isFresh(undefined, NOW)).toBe(false);
  });
});

describe('verifyRequest', () => {
  it('accepts a signed, encrypted, fresh event for this app and returns the decrypted body', () => {
    const r = req(event());
    const v = verifyRequest(r.raw, r.headers, S, NOW);
    expect(v).toMatchObject({ ok: true, kind: 'event' });
    expect(v.ok && v.kind === 'event' && (v.body.header as { event_id: string }).event_id).toBe('ev1');
  });

  it('the signature header is hex in either case; anything longer, shorter or not hex is refused', () => {
    const r = req(event());
    const sig = r.headers.signature!;
    expect(verifyRequest(r.raw, { ...r.headers, signature: sig.toUpperCase() }, S, NOW)).toMatchObject({ ok: true });
    expect(verifyRequest(r.raw, { ...r.headers, signature: ` ${sig} ` }, S, NOW)).toMatchObject({ ok: true });
    for (const bad of [`${sig}00`, `${sig}zz`, sig.slice(0, 62), `${sig.slice(0, 63)}g`, '', 'not hex at all']) {
      expect(verifyRequest(r.raw, { ...r.headers, signature: bad }, S, NOW)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('returns the decrypted JSON text beside the parsed body; an outer body with escaped slashes or extra spaces still verifies', () => {
    const r = req(event());
    const v = verifyRequest(r.raw, r.headers, S, NOW);
    expect(v.ok && v.kind === 'event' && JSON.parse(v.text)).toEqual(v.ok && v.kind === 'event' && v.body);
    const { encrypt } = JSON.parse(r.raw.toString()) as { encrypt: string };
    for (const raw of [`{ "encrypt" : ${JSON.stringify(encrypt).replaceAll('/', '\\/')} }`, `{"encrypt":"${encrypt}","extra":1}`]) {
      const sig = sign(r.headers.timestamp!, r.headers.nonce!, S.encryptKey, raw);
      expect(verifyRequest(Buffer.from(raw), { ...r.headers, signature: sig }, S, NOW)).toMatchObject({ ok: true, kind: 'event' });
    }
  });

  it('refuses a body with one flipped byte (401)', () => {
    const r = req(event());
    const raw = Buffer.from(r.raw);
    raw[raw.length - 3] = raw[raw.length - 3]! ^ 1;
    expect(verifyRequest(raw, r.headers, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a forged signature (401) and a signature made with another key (401)', () => {
    const r = req(event());
    expect(verifyRequest(r.raw, { ...r.headers, signature: 'f'.repeat(64) }, S, NOW)).toMatchObject({ ok: false, status: 401 });
    const other = sign(r.headers.timestamp!, r.headers.nonce!, 'another key', r.raw.toString());
    expect(verifyRequest(r.raw, { ...r.headers, signature: other }, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a stale or future timestamp (401), even when correctly signed', () => {
    const old = req(event(), new Date(NOW.getTime() - 10 * 60_000));
    expect(verifyRequest(old.raw, old.headers, S, NOW)).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('timestamp') });
    const future = req(event(), new Date(NOW.getTime() + 10 * 60_000));
    expect(verifyRequest(future.raw, future.headers, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('falls back to header.create_time when the timestamp header is not a number', () => {
    const r = req(event(), NOW, { ts: 'Mon Jan 2 15:04:05 MST 2006' });
    expect(verifyRequest(r.raw, r.headers, S, NOW)).toMatchObject({ ok: true });
    const stale = req(event({ create_time: String(NOW.getTime() - 3600_000) }), NOW, { ts: 'garbage' });
    expect(verifyRequest(stale.raw, stale.headers, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses an unencrypted body when an Encrypt Key is set (401)', () => {
    const raw = Buffer.from(JSON.stringify(event()));
    const ts = String(NOW.getTime() / 1000);
    const headers = { timestamp: ts, nonce: 'n', signature: sign(ts, 'n', S.encryptKey, raw.toString()) };
    expect(verifyRequest(raw, headers, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses an encrypted event without signature headers (401)', () => {
    const r = req(event());
    expect(verifyRequest(r.raw, {}, S, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a wrong verification token (403) and another app (403)', () => {
    const r = req(event({ token: 'wrong' }));
    expect(verifyRequest(r.raw, r.headers, S, NOW)).toMatchObject({ ok: false, status: 403 });
    const r2 = req(event({ app_id: 'cli_someone_else' }));
    expect(verifyRequest(r2.raw, r2.headers, S, NOW)).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses malformed JSON (400) and signed garbage ciphertext (400)', () => {
    expect(verifyRequest(Buffer.from('{"encrypt":'), {}, S, NOW)).toMatchObject({ ok: false, status: 400 });
    expect(verifyRequest(Buffer.from('[1,2]'), {}, S, NOW)).toMatchObject({ ok: false, status: 400 });
    const raw = '{"encrypt":"bm90IGNpcGhlcnRleHQ="}';
    const ts = String(Math.floor(NOW.getTime() / 1000));
    expect(verifyRequest(Buffer.from(raw), { timestamp: ts, nonce: 'n', signature: sign(ts, 'n', S.encryptKey, raw) }, S, NOW)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('URL verification: encrypted and unsigned passes on the token; a wrong token is 403', () => {
    const raw = Buffer.from(encryptBody(JSON.stringify({ challenge: 'c1', token: S.verificationToken, type: 'url_verification' }), S.encryptKey));
    expect(verifyRequest(raw, {}, S, NOW)).toEqual({ ok: true, kind: 'challenge', challenge: 'c1' });
    const bad = Buffer.from(encryptBody(JSON.stringify({ challenge: 'c1', token: 'nope', type: 'url_verification' }), S.encryptKey));
    expect(verifyRequest(bad, {}, S, NOW)).toMatchObject({ ok: false, status: 403 });
  });

  it('plaintext mode (no Encrypt Key): the token alone authenticates', () => {
    const plain: FeishuSecrets = { ...S, encryptKey: '' };
    expect(verifyRequest(Buffer.from(JSON.stringify({ challenge: 'c2', token: S.verificationToken, type: 'url_verification' })), {}, plain, NOW)).toEqual({
      ok: true,
      kind: 'challenge',
      challenge: 'c2',
    });
    expect(verifyRequest(Buffer.from(JSON.stringify(event())), {}, plain, NOW)).toMatchObject({ ok: true, kind: 'event' });
    expect(verifyRequest(Buffer.from(JSON.stringify(event({ token: 'x' }))), {}, plain, NOW)).toMatchObject({ ok: false, status: 403 });
    expect(verifyRequest(Buffer.from(encryptBody('{}', 'k')), {}, plain, NOW)).toMatchObject({ ok: false, status: 400 });
  });
});
