// The process: load config, open the database, build the app, start delivery and platforms,
// listen, and close gracefully on SIGINT/SIGTERM.

import { ConfigError, loadConfig } from './config/load.ts';
import { sandboxEnabled } from './config/schema.ts';
import { createRuntime } from './runtime.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const rt = await createRuntime(config);
  const { log } = rt;
  for (const y of rt.calendar.missingYears(new Date())) {
    log.warn({ year: y }, `工作日历缺少 ${y} 年的法定节假日数据：请在 calendar.extraHolidays / extraWorkdays 中补充 (no holiday data for ${y})`);
  }
  await rt.inbound.recover();
  rt.inbound.startSweeping();
  rt.dispatcher.start();
  rt.scheduler.start();
  const address = await rt.app.listen({ host: config.server.host, port: config.server.port });
  // After listen: DingTalk's HTTP mode registers our callback URL, which must answer by then.
  for (const m of rt.modules) await m.platform.start?.();

  if (sandboxEnabled(config)) {
    const url = `http://${LOOPBACK.test(config.server.host) ? config.server.host : '127.0.0.1'}:${(rt.app.server.address() as { port: number }).port}/sandbox`;
    if (!LOOPBACK.test(config.server.host)) {
      const level = config.platforms.sandbox.allowRemote ? 'error' : 'warn';
      log[level](
        { host: config.server.host, allowRemote: config.platforms.sandbox.allowRemote },
        config.platforms.sandbox.allowRemote
          ? '!!! 沙盒对外开放：任何能访问本端口的人都可以冒充任何用户 !!! (SANDBOX IS REACHABLE FROM OUTSIDE: anyone can act as anyone)'
          : '服务监听在非本机地址；沙盒只接受本机访问 (server is not on loopback; the sandbox answers loopback requests only)',
      );
    }
    console.log(`\n  协作助手 Groupflow 沙盒已就绪 / sandbox ready:  ${url}\n`);
  }
  log.info({ address, ms: Math.round(performance.now() - started) }, 'Groupflow ready');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await rt.close();
    } catch (err) {
      log.error({ err }, 'error during shutdown');
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
