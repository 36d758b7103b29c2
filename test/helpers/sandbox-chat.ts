// A conversation driver for the sandbox over HTTP (app.inject): "李四 says `/提交 #1 …`; 张三
// should get an acceptance card". Every step waits for the outbox to be delivered (see `deliver`).

import type { Card } from '../../src/domain/card.ts';
import type { OutboundBody } from '../../src/domain/chat.ts';
import type { SandboxMessage } from '../../src/platforms/sandbox/sandbox.store.ts';
import { deliver, type TestRuntime } from './runtime.ts';

export const ZS = 'sandbox:zhangsan';
export const LS = 'sandbox:lisi';
export const WW = 'sandbox:wangwu';
export const ZL = 'sandbox:zhaoliu';
export const G1 = 'sandbox:g1';

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

export type CardMessage = SandboxMessage & { body: { type: 'card'; card: Card; cardKey: string } };

export class SandboxChat {
  constructor(
    readonly rt: TestRuntime,
    readonly chatId = G1,
  ) {}

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Reply<T>> {
    const r = await this.rt.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: r.statusCode, body: r.json() as T };
  }

  /** All messages of the chat, in rev order, each at its latest version. */
  async messages(): Promise<SandboxMessage[]> {
    const r = await this.call<{ messages: SandboxMessage[] }>('GET', `/sandbox/api/messages?chatId=${encodeURIComponent(this.chatId)}`);
    return r.body.messages.sort((a, b) => a.id - b.id);
  }

  /** `who` says `text`; returns the messages that appeared or changed because of it. */
  async say(who: string, text: string, replyTo?: number): Promise<SandboxMessage[]> {
    const rev = this.rt.db.$client.prepare('select coalesce(max(rev),0) as r from sandbox_messages').get() as { r: number };
    const r = await this.call('POST', '/sandbox/api/messages', { chatId: this.chatId, userId: who, text, replyTo });
    if (r.status !== 201) throw new Error(`say failed: ${r.status} ${JSON.stringify(r.body)}`);
    await deliver(this.rt);
    return this.since(rev.r);
  }

  async since(rev: number): Promise<SandboxMessage[]> {
    const r = await this.call<{ messages: SandboxMessage[] }>('GET', `/sandbox/api/messages?chatId=${encodeURIComponent(this.chatId)}&since=${rev}`);
    return r.body.messages;
  }

  /** The newest card titled `title` that asks `who` to act (a button for them, or names them). */
  async cardFor(title: string, who: string): Promise<CardMessage> {
    const hits = (await this.messages()).filter(
      (m): m is CardMessage =>
        m.body.type === 'card' &&
        m.body.card.header.title.includes(title) &&
        (m.body.card.buttons.some((b) => b.for === who) || m.body.card.markdown.join('').includes(`<@${who}>`)),
    );
    const last = hits.at(-1);
    if (!last) throw new Error(`no card ${title} for ${who}`);
    return last;
  }

  async card(id: number): Promise<CardMessage> {
    const m = (await this.messages()).find((x) => x.id === id);
    if (!m || m.body.type !== 'card') throw new Error(`message ${id} is not a card`);
    return m as CardMessage;
  }

  /** `who` clicks the button labelled `label` on the card, filling `form`. */
  async click(who: string, card: CardMessage, label: string, form: Record<string, string> = {}): Promise<{ ok: boolean; toast: string }> {
    const b = card.body.card.buttons.find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} on ${card.body.card.header.title}`);
    const r = await this.call<{ ok: boolean; toast: string }>('POST', '/sandbox/api/actions', {
      chatId: this.chatId,
      userId: who,
      messageId: card.id,
      itemId: b.itemId,
      action: b.action,
      version: b.version,
      for: b.for,
      form,
    });
    if (r.status !== 200) throw new Error(`click failed: ${r.status} ${JSON.stringify(r.body)}`);
    await deliver(this.rt);
    return r.body;
  }

  state(itemId: number): string | undefined {
    return this.rt.repo.getItem(itemId)?.state;
  }
}

/** Text of a message for assertions: a text body, or a card's title, fields and paragraphs. */
export function textOf(b: OutboundBody): string {
  return b.type === 'text'
    ? b.text
    : [b.card.header.title, b.card.header.tag ?? '', ...b.card.fields.map((f) => `${f.label}:${f.value}`), ...b.card.markdown].join('\n');
}
