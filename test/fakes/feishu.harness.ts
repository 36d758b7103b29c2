// The whole bot (createRuntime) with the Feishu module pointed at the fake OpenAPI, a fake clock,
// and helpers that speak to it exactly as Feishu does: signed, encrypted webhook requests, or the
// long-connection dispatcher. "A says …" and "B clicks …" read like the product.

import pino from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createFeishu, type FeishuOptions, type FeishuPlatform } from '../../src/platforms/feishu/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { deliver, MONDAY_10AM } from '../helpers/runtime.ts';
import { buttonsOf, type CardJson, FakeFeishu, markdowns } from './feishu.fake.ts';
import { botAdded, cardClick, type Person, signedRequest, textMessage, type WireSecrets } from './feishu.wire.ts';

export const A: Person = { openId: 'ou_alice', name: '张三' };
export const B: Person = { openId: 'ou_bob', name: '李四' };
export const C: Person = { openId: 'ou_carol', name: '王五' };
export const BOT: Person = { openId: 'ou_bot', name: 'Groupflow' };
export const PEOPLE = [A, B, C, BOT];
export const CHAT = 'oc_group1';

let appSeq = 0;

export interface HarnessOptions {
  mode?: 'webhook' | 'longconn';
  encryptKey?: string;
  verificationToken?: string;
  bodyLimit?: number;
  start?: string;
  /** Also run the sandbox (to check the Feishu body parser stays inside its own routes). */
  sandbox?: boolean;
  /** Long-connection supervisor timers (tests shorten the restart backoff). */
  longConn?: FeishuOptions['longConn'];
}

export interface Reply {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

export class FeishuHarness {
  private constructor(
    readonly rt: Runtime & { clock: FakeClock },
    readonly fake: FakeFeishu,
    readonly secrets: WireSecrets,
  ) {}

  static async create(o: HarnessOptions = {}): Promise<FeishuHarness> {
    const fake = await new FakeFeishu().start();
    // A distinct App ID per harness: nothing may leak between tests through the SDK.
    const secrets: WireSecrets = {
      encryptKey: o.encryptKey ?? 'ek-7f3a9c2e1b',
      verificationToken: o.verificationToken ?? 'vt-4d8e6a1c0f',
      appId: `cli_a1b2c3d4e5f7${String(++appSeq).padStart(4, '0')}`,
    };
    const config = parseConfig({
      log: { level: 'silent' },
      database: { file: ':memory:' },
      ...(o.bodyLimit ? { server: { bodyLimit: o.bodyLimit } } : {}),
      platforms: {
        sandbox: { enabled: o.sandbox ?? false },
        feishu: {
          enabled: true,
          mode: o.mode ?? 'webhook',
          appId: secrets.appId,
          appSecret: 'app-secret-x',
          encryptKey: secrets.encryptKey,
          verificationToken: secrets.verificationToken,
          domain: fake.url,
        },
      },
    });
    const clock = new FakeClock(new Date(o.start ?? MONDAY_10AM));
    const rt = await createRuntime(config, { clock, log: pino({ level: 'silent' }), extraModules: [(core) => createFeishu(core, { timeoutMs: 2000, readyTimeoutMs: 3000, longConn: o.longConn })] });
    return new FeishuHarness(Object.assign(rt, { clock }), fake, secrets);
  }

  get platform(): FeishuPlatform {
    return this.rt.platforms.get('feishu') as FeishuPlatform;
  }

  async close(): Promise<void> {
    await this.rt.close();
    await this.fake.stop();
  }

  /** POSTs raw bytes with headers, as a client on the network would. */
  async post(path: string, payload: string, headers: Record<string, string>): Promise<Reply> {
    const r = await this.rt.app.inject({ method: 'POST', url: path, payload, headers });
    return { status: r.statusCode, body: r.body, json: () => JSON.parse(r.body) as Record<string, unknown> };
  }

  /** Sends an envelope to a webhook route as Feishu does: encrypted and signed, now. */
  async push(path: '/feishu/events' | '/feishu/card', envelope: unknown): Promise<Reply> {
    const r = signedRequest(envelope, this.secrets, this.rt.clock.now());
    return this.post(path, r.payload, r.headers);
  }

  /** Waits until every stored event was processed and the outbox delivered what it could. */
  async settle(): Promise<void> {
    for (let i = 0; i < 400 && this.pendingEvents() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    if (this.pendingEvents() > 0) throw new Error('inbound events were not processed');
    await deliver(this.rt as Parameters<typeof deliver>[0]);
  }

  /** `who` says `text` in the group (write `@{ou_x}` for a mention, `@{ou_bot}` for the bot). */
  async says(who: Person, text: string, extra: { eventId?: string; messageId?: string; parentId?: string } = {}): Promise<Reply> {
    this.rt.clock.advance(1000);
    const res = await this.push('/feishu/events', textMessage(this.secrets, this.rt.clock.now(), { chatId: CHAT, sender: who, text, people: PEOPLE, ...extra }));
    await this.settle();
    return res;
  }

  async botJoins(operator: Person): Promise<Reply> {
    const res = await this.push('/feishu/events', botAdded(this.secrets, this.rt.clock.now(), { chatId: CHAT, operator }));
    await this.settle();
    return res;
  }

  /** The newest card (message id and latest JSON) whose title contains `title` and asks `who`. */
  cardFor(title: string, who: Person): { messageId: string; card: CardJson } {
    const hits = [...this.fake.cards.keys()]
      .map((messageId) => ({ messageId, card: this.fake.card(messageId) }))
      .filter(({ card }) => card.header.title.content.includes(title))
      .filter(({ card }) => buttonsOf(card).some((b) => b.value.for === `feishu:${who.openId}`) || JSON.stringify(card).includes(`<at id=${who.openId}></at>`));
    const last = hits.at(-1);
    if (!last) throw new Error(`no card "${title}" for ${who.name}`);
    return last;
  }

  /** `who` clicks the button labelled `label` on a card (filling its form), through /feishu/card. */
  async clicks(who: Person, card: { messageId: string }, label: string, form?: Record<string, string>): Promise<Reply> {
    this.rt.clock.advance(1000);
    const b = buttonsOf(this.fake.card(card.messageId)).find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} on ${card.messageId}`);
    const env = cardClick(this.secrets, this.rt.clock.now(), {
      operator: who,
      chatId: CHAT,
      messageId: card.messageId,
      value: b.value,
      name: b.name,
      ...(b.form ? { form: form ?? {} } : {}),
    });
    const res = await this.push('/feishu/card', env);
    await this.settle();
    return res;
  }

  state(id: number): string | undefined {
    return this.rt.repo.getItem(id)?.state;
  }

  pendingEvents(): number {
    return (this.rt.db.$client.prepare(`select count(*) as n from inbound_events where status = 'pending'`).get() as { n: number }).n;
  }

  /** Rows that any state change would add to: items, outbox, stored events. */
  counts(): { items: number; outbox: number; events: number } {
    const n = (t: string) => (this.rt.db.$client.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
    return { items: n('items'), outbox: n('outbox'), events: n('inbound_events') };
  }

  /** What the bot showed one person only (仅对你可见 cards): their markdown text, with who saw it. */
  whispers(): Array<{ openId: string; text: string }> {
    return this.fake.ephemerals.map((e) => ({ openId: e.openId, text: markdowns(e.card).join('\n') }));
  }

  /** Texts the bot posted (creates and replies), with <at> tags as sent. */
  texts(): string[] {
    return this.fake.sent.filter((s) => s.msgType === 'text').map((s) => (JSON.parse(s.content) as { text: string }).text);
  }
}
