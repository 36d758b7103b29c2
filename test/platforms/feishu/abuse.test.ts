import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, BOT, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { signedRequest, textMessage } from '../../fakes/feishu.wire.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});

const event = () => signedRequest(textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] }), h.secrets, h.rt.clock.now());

async function from(ip: string, r: { payload: string; headers: Record<string, string> }, forged = false) {
  const headers = forged ? { ...r.headers, 'x-lark-signature': 'f'.repeat(64) } : r.headers;
  const res = await h.rt.app.inject({ method: 'POST', url: '/feishu/events', payload: r.payload, headers, remoteAddress: ip });
  return res.statusCode;
}

describe('webhook rate limit', () => {
  it('refuses an address that keeps failing authentication, but never a correctly signed platform request', async () => {
    // The platform's address delivers normally, including a retry of the same event.
    const first = event();
    expect(await from('203.0.113.10', first)).toBe(200);
    expect(await from('203.0.113.10', first)).toBe(200); // retry: acknowledged, acted on once
    // An attacker's address burns its budget of failures (30 per minute by default)…
    for (let i = 0; i < 30; i++) expect(await from('198.51.100.7', event(), true)).toBe(401);
    // …and its forged requests are then refused with 429, while a correctly signed one still
    // passes (authentication comes first: the address may be a proxy the platform shares).
    expect(await from('198.51.100.7', event(), true)).toBe(429);
    expect(await from('198.51.100.7', event())).toBe(200);
    expect(await from('198.51.100.7', event(), true)).toBe(429);
    // The platform is unaffected, even if one of its requests fails now and then.
    for (let i = 0; i < 35; i++) await from('203.0.113.10', event(), true);
    expect(await from('203.0.113.10', event())).toBe(200);
    // After the window the attacker's address may try again.
    h.rt.clock.set(new Date(h.rt.clock.now().getTime() + 61_000));
    expect(await from('198.51.100.7', event(), true)).toBe(401);
    await h.settle();
    expect(h.counts().items).toBe(0);
  });
});
