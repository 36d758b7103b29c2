// Signature verification against the protocol's test vectors (computed independently with
// node:crypto in harness.ts and cross-checked with Python's hmac in the platform notes).

import { describe, expect, it } from 'vitest';
import { SKEW_WINDOW_MS, verifyCardSign, verifyRobotSign } from '../../../src/platforms/dingtalk/dingtalk.verify.ts';
import { cardSign, robotSign } from './harness.ts';

const SECRET = 'test-app-secret';
const TS = '1700000000000';
const T = 1_700_000_000_000;
const VECTOR = 'dhJB8TJ0cHPEbwpUauugV2Wz8v4qlWoO+C42nEhJW+c=';
const CARD_VECTOR = 't3jqwt0WBVsvNpgD+ncljxce56XsNOeEYafngX/BHjc=';

describe('robot callback signature', () => {
  it('the harness signs exactly as the published vector', () => {
    expect(robotSign(TS, SECRET)).toBe(VECTOR);
    expect(cardSign(TS, 'mySecret')).toBe('t3jqwt0WBVsvNpgD+ncljxce56XsNOeEYafngX/BHjc=');
  });

  it.each([
    ['valid, same instant', { timestamp: TS, sign: VECTOR }, SECRET, T, { ok: true }],
    ['valid, at the window edge (ts + 1 h)', { timestamp: TS, sign: VECTOR }, SECRET, T + SKEW_WINDOW_MS, { ok: true }],
    ['valid, our clock 1 h behind', { timestamp: TS, sign: VECTOR }, SECRET, T - SKEW_WINDOW_MS, { ok: true }],
    ['stale: ts + 1 h + 1 ms', { timestamp: TS, sign: VECTOR }, SECRET, T + SKEW_WINDOW_MS + 1, { ok: false, reason: 'stale' }],
    ['from the future beyond the window', { timestamp: TS, sign: VECTOR }, SECRET, T - SKEW_WINDOW_MS - 1, { ok: false, reason: 'stale' }],
    ['URL-encoded sign', { timestamp: TS, sign: 'dhJB8TJ0cHPEbwpUauugV2Wz8v4qlWoO%2BC42nEhJW%2Bc%3D' }, SECRET, T, { ok: false, reason: 'mismatch' }],
    ['another secret', { timestamp: TS, sign: VECTOR }, 'other-secret', T, { ok: false, reason: 'mismatch' }],
    ['sign of another timestamp', { timestamp: '1700000000001', sign: VECTOR }, SECRET, T, { ok: false, reason: 'mismatch' }],
    ['truncated sign', { timestamp: TS, sign: VECTOR.slice(0, 20) }, SECRET, T, { ok: false, reason: 'mismatch' }],
    ['missing sign', { timestamp: TS, sign: undefined }, SECRET, T, { ok: false, reason: 'missing' }],
    ['missing timestamp', { timestamp: undefined, sign: VECTOR }, SECRET, T, { ok: false, reason: 'missing' }],
    ['timestamp in seconds-with-fraction form', { timestamp: '1700000000.000', sign: VECTOR }, SECRET, T, { ok: false, reason: 'malformed' }],
    ['empty secret configured', { timestamp: TS, sign: VECTOR }, '', T, { ok: false, reason: 'missing' }],
  ])('%s', (_name, headers, secret, now, expected) => {
    expect(verifyRobotSign(headers, secret, now)).toEqual(expected);
  });

  // Each of these decodes to the right 32 bytes with a lenient decoder, yet is not what DingTalk
  // sends: only the one canonical spelling of the signature is accepted.
  const variants = (v: string): Array<[string, string]> => [
    ['padding missing', v.slice(0, -1)],
    ['extra padding', `${v}=`],
    ['unused trailing bits set (c → d before the padding)', `${v.slice(0, -2)}d=`],
    ['URL-safe alphabet', v.replaceAll('+', '-').replaceAll('/', '_')],
    ['whitespace inside', `${v.slice(0, 10)} ${v.slice(10)}`],
    ['trailing newline', `${v}\n`],
  ];
  it.each(variants(VECTOR))('non-canonical base64 is refused: %s', (_name, sign) => {
    expect(Buffer.from(sign, 'base64').equals(Buffer.from(VECTOR, 'base64'))).toBe(true);
    expect(verifyRobotSign({ timestamp: TS, sign }, SECRET, T)).toEqual({ ok: false, reason: 'mismatch' });
  });
  it.each(variants(CARD_VECTOR))('non-canonical base64 card signature is refused: %s', (_name, sign) => {
    expect(verifyCardSign({ timestamp: TS, sign }, 'mySecret', T)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('card callback signature (x-ddpaas-signature)', () => {
  it.each([
    ['valid vector', 'mySecret', 't3jqwt0WBVsvNpgD+ncljxce56XsNOeEYafngX/BHjc=', T, { ok: true }],
    ['robot-style sign is not a card sign', 'mySecret', robotSign(TS, 'mySecret'), T, { ok: false, reason: 'mismatch' }],
    ['stale', 'mySecret', 't3jqwt0WBVsvNpgD+ncljxce56XsNOeEYafngX/BHjc=', T + SKEW_WINDOW_MS + 1, { ok: false, reason: 'stale' }],
  ])('%s', (_name, secret, sign, now, expected) => {
    expect(verifyCardSign({ timestamp: TS, sign }, secret, now)).toEqual(expected);
  });
});
