// The whole bot in-process (createRuntime) with Feishu in webhook mode, a fake clock, and every
// log line captured, talking to the fake Feishu OpenAPI through a FaultProxy. Speaks to the bot
// exactly as Feishu does: encrypted, signed webhook requests; clicks as card.action.trigger.

import pino, { type Logger } from 'pino';
import { parseConfig } from '../../../src/config/load.ts';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import { createFeishu } from '../../../src/platforms/feishu/index.ts';
import { createRuntime, redactPaths, type Runtime } from '../../../src/runtime.ts';
import { MONDAY_10AM } from '../../helpers/runtime.ts';
import { buttonsOf, FakeFeishu } from '../../fakes/feishu.fake.ts';
import { cardClick, type Person, signedRequest, textMessage, type WireSecrets } from '../../fakes/feishu.wire.ts';
import { deliverAll } from './deliver.ts';
import { FaultProxy } from './fault-proxy.ts';

export const A: Person = { openId: 'ou_alice', name: '张三' };
export const B: Person = { openId: 'ou_bob', name: '李四' };
export const C: Person = { openId: 'ou_carol', name: '王五' };
export const BOT: Person = { openId: 'ou_bot', name: 'Groupflow' };
export const PEOPLE = [A, B, C, BOT];

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** A pino logger configured as in production (same redaction), writing into memory. */
export function capturingLogger(level: pino.LevelWithSilent): { log: Logger; lines: LogLine[]; raw: string[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const log = pino(
    { level, redact: { paths: redactPaths(), censor: '[redacted]' } },
    {
      write: (s: string) => {
        raw.push(s);
        lines.push(JSON.parse(s) as LogLine);
      },
    },
  );
  return { log, lines, raw };
}

export interface FeishuBotOptions {
  secrets?: WireSecrets;
  appSecret?: string;
  config?: ConfigInput;
  level?: pino.LevelWithSilent;
  timeoutMs?: number;
  mode?: 'webhook' | 'longconn';
}

export class FeishuBot {
  private seq = 0;

  private constructor(
    readonly rt: Runtime,
    readonly clock: FakeClock,
    readonly fake: FakeFeishu,
    readonly proxy: FaultProxy,
    readonly secrets: WireSecrets,
    readonly lines: LogLine[],
    readonly raw: string[],
  ) {}

  static async create(o: FeishuBotOptions = {}): Promise<FeishuBot> {
    const fake = await new FakeFeishu().start();
    const proxy = await new FaultProxy(fake.url).start();
    const secrets = o.secrets ?? { encryptKey: 'ek-res-5b1d9e', verificationToken: 'vt-res-0c7a44', appId: 'cli_resilience0001' };
    const config = parseConfig({
      log: { level: o.level ?? 'debug' },
      database: { file: ':memory:' },
      ...o.config,
      platforms: {
        sandbox: { enabled: false },
        feishu: {
          enabled: true,
          mode: o.mode ?? 'webhook',
          appId: secrets.appId,
          appSecret: o.appSecret ?? 'app-secret-res-77e1',
          encryptKey: secrets.encryptKey,
          verificationToken: secrets.verificationToken,
          domain: proxy.url,
        },
      },
    });
    const clock = new FakeClock(new Date(MONDAY_10AM));
    const { log, lines, raw } = capturingLogger(o.level ?? 'debug');
    const rt = await createRuntime(config, {
      clock,
      log,
      extraModules: [(core) => createFeishu(core, { timeoutMs: o.timeoutMs ?? 2000, readyTimeoutMs: 2000 })],
    });
    return new FeishuBot(rt, clock, fake, proxy, secrets, lines, raw);
  }

  async close(): Promise<void> {
    await this.proxy.stop(); // first: held calls are released, so the dispatcher can finish
    await this.rt.close();
    await this.fake.stop();
  }

  sql<T>(q: string, ...params: unknown[]): T[] {
    return this.rt.db.$client.prepare(q).all(...params) as T[];
  }

  count(q: string, ...params: unknown[]): number {
    return (this.rt.db.$client.prepare(q).get(...params) as { n: number }).n;
  }

  async post(path: string, payload: string | Buffer, headers: Record<string, string>) {
    return this.rt.app.inject({ method: 'POST', url: path, payload, headers });
  }

  /** Sends an envelope as Feishu does: encrypted and signed, now. */
  async push(path: '/feishu/events' | '/feishu/card', envelope: unknown) {
    const r = signedRequest(envelope, this.secrets, this.clock.now());
    return this.post(path, r.payload, r.headers);
  }

  /** `who` says `text` in `chatId` (`@{ou_x}` marks a mention); waits until the event was processed. */
  async says(who: Person, text: string, chatId = 'oc_res1'): Promise<{ status: number; messageId: string }> {
    this.clock.advance(1000);
    const messageId = `om_res_${++this.seq}`;
    const env = textMessage(this.secrets, this.clock.now(), { chatId, sender: who, text, people: PEOPLE, messageId });
    const res = await this.push('/feishu/events', env);
    await this.processed();
    return { status: res.statusCode, messageId };
  }

  /** Waits until every stored inbound event was processed. */
  async processed(): Promise<void> {
    for (let i = 0; i < 2000; i++) {
      await this.rt.inbound.idle();
      if (this.count(`select count(*) as n from inbound_events where status = 'pending'`) === 0) return;
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error('inbound events were not processed');
  }

  /** `who` clicks `label` on the card message `messageId` (with form values when it is a form button). */
  async clicks(who: Person, messageId: string, label: string, form?: Record<string, string>, chatId = 'oc_res1') {
    this.clock.advance(1000);
    const b = buttonsOf(this.fake.card(messageId)).find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} on ${messageId}`);
    const env = cardClick(this.secrets, this.clock.now(), {
      operator: who,
      chatId,
      messageId,
      value: b.value,
      name: b.name,
      ...(b.form ? { form: form ?? {} } : {}),
    });
    const res = await this.push('/feishu/card', env);
    // `event.token` is the card-update token Feishu hands the app (a credential, 30 min).
    return { status: res.statusCode, body: res.json() as { toast?: { type: string; content: string } }, cardToken: env.event.token };
  }

  /** Delivers everything pending, moving the fake clock to each retry time (see deliverAll). */
  deliverAll(maxPasses = 5000): Promise<number> {
    return deliverAll(this.rt, this.clock, maxPasses);
  }
}
