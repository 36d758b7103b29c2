// (b)/(c) Groupflow itself, started the way src/main.ts starts it (createRuntime → recover →
// dispatcher → scheduler → listen → platforms), with one real platform enabled against the local
// fake OpenAPI, on its own database file. Logs go to stdout at the default level (info), as in
// production; the parent points stdout at a file.

import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { createRuntime } from '../../src/runtime.ts';
import { DINGTALK, FEISHU } from '../lib/wire.ts';
import { probeExtra, ready } from '../lib/probe.ts';

export type BenchPlatform = 'feishu' | 'dingtalk';

export function benchConfig(platform: BenchPlatform, o: { port: number; dbFile: string; fakeUrl: string }): ConfigInput {
  return {
    server: { host: '127.0.0.1', port: o.port },
    database: { file: o.dbFile },
    log: { level: 'info', pretty: false },
    platforms: {
      sandbox: { enabled: false },
      ...(platform === 'feishu'
        ? {
            feishu: {
              enabled: true,
              mode: 'webhook',
              appId: FEISHU.appId,
              appSecret: FEISHU.appSecret,
              encryptKey: FEISHU.encryptKey,
              verificationToken: FEISHU.verificationToken,
              domain: o.fakeUrl,
            },
          }
        : {
            dingtalk: {
              enabled: true,
              mode: 'http',
              clientId: DINGTALK.clientId,
              clientSecret: DINGTALK.clientSecret,
              robotCode: DINGTALK.clientId,
              cardTemplateId: 'tpl-bench.schema',
              apiBase: o.fakeUrl,
              oapiBase: o.fakeUrl,
            },
          }),
    },
  };
}

export async function serve(platform: BenchPlatform): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const dbFile = process.env.BENCH_DB_FILE;
  const fakeUrl = process.env.BENCH_FAKE_URL;
  if (!dbFile || !fakeUrl) throw new Error('BENCH_DB_FILE and BENCH_FAKE_URL are required');
  const config = parseConfig(benchConfig(platform, { port, dbFile, fakeUrl }));
  const rt = await createRuntime(config);
  await rt.inbound.recover();
  rt.dispatcher.start();
  rt.scheduler.start();
  const address = await rt.app.listen({ host: config.server.host, port: config.server.port });
  for (const m of rt.modules) await m.platform.start?.();

  const sql = rt.db.$client;
  const byStatus = (table: string) =>
    Object.fromEntries((sql.prepare(`select status, count(*) as n from ${table} group by status`).all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
  probeExtra(() => ({
    inbound: byStatus('inbound_events'),
    outbox: byStatus('outbox'),
    items: (sql.prepare('select count(*) as n from items').get() as { n: number }).n,
  }));
  ready(Number(new URL(address).port));
  process.on('SIGTERM', () => {
    void rt.close().finally(() => process.exit(0));
  });
}
