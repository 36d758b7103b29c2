// The whole bot in-process with DingTalk in HTTP mode, a fake clock and captured logs, talking to
// the fake DingTalk (OpenAPI and session webhooks) through a FaultProxy. Returns the DingTalk test
// harness shape, so its say/click/cardFor helpers drive it.

import { parseConfig } from '../../../src/config/load.ts';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import { MONDAY_10AM } from '../../helpers/runtime.ts';
import { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { CLIENT_ID, type Harness, SECRET, startDingtalkRuntime, TEMPLATE } from '../../platforms/dingtalk/harness.ts';
import { FaultProxy } from './fault-proxy.ts';
import { capturingLogger, type LogLine } from './feishu-bot.ts';

export interface DingtalkBot {
  h: Harness;
  fake: FakeDingtalk;
  proxy: FaultProxy;
  lines: LogLine[];
  close: () => Promise<void>;
}

export async function dingtalkBot(o: { config?: ConfigInput } = {}): Promise<DingtalkBot> {
  const fake = await new FakeDingtalk().start();
  const proxy = await new FaultProxy(fake.url).start();
  const clock = new FakeClock(new Date(MONDAY_10AM));
  const config = parseConfig({
    log: { level: 'debug' },
    database: { file: ':memory:' },
    ...o.config,
    platforms: {
      sandbox: { enabled: false },
      dingtalk: { enabled: true, mode: 'http', clientId: CLIENT_ID, clientSecret: SECRET, robotCode: CLIENT_ID, cardTemplateId: TEMPLATE, apiBase: proxy.url, oapiBase: proxy.url },
    },
  });
  const { log, lines } = capturingLogger('debug');
  const { rt, core, module } = await startDingtalkRuntime(config, { clock, log });
  // Session webhooks in the messages point at the proxy too (the harness builds them from `fake`).
  const viaProxy = Object.create(fake) as FakeDingtalk;
  viaProxy.sessionUrl = (session: string) => `${proxy.url}/robot/sendBySession?session=${encodeURIComponent(session)}`;
  const h: Harness = { rt, core, module, clock, fake: viaProxy, msgSeq: 0 };
  return {
    h,
    fake,
    proxy,
    lines,
    close: async () => {
      await proxy.stop();
      await rt.close();
      await fake.stop();
    },
  };
}
