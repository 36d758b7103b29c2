import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.ts';
import { sandboxEnabled } from '../../src/config/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'gf-config-'));
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('config', () => {
  it('with no file at all, the built-in defaults start the sandbox', () => {
    const c = loadConfig({ BOT_CONFIG: undefined } as NodeJS.ProcessEnv);
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(c.database.file).toBe('./data/groupflow.db');
    expect(c.calendar.timezone).toBe('Asia/Shanghai');
    expect(c.clocks).toEqual({ ordinary: '1wd', urgent: '2h', confirm: '1wd', accept: '1wd', retro: '5wd' });
    expect(sandboxEnabled(c)).toBe(true);
  });

  it('clocks take wall or working time; confirmWorkingDays is the older spelling of confirm and accept', () => {
    expect(parseConfig({ clocks: { ordinary: '4wh', urgent: '30m', retro: '0.5wd' } }).clocks).toMatchObject({ ordinary: '4wh', urgent: '30m', retro: '0.5wd' });
    expect(parseConfig({ clocks: { confirmWorkingDays: 2 } }).clocks).toMatchObject({ confirm: '2wd', accept: '2wd' });
    // The newer key wins where both are set.
    expect(parseConfig({ clocks: { confirmWorkingDays: 2, accept: '4wh' } }).clocks).toMatchObject({ confirm: '2wd', accept: '4wh' });
    expect(parseConfig({ calendar: { lunch: '12:00-13:30' } }).calendar.lunch).toBe('12:00-13:30');
    for (const bad of [{ clocks: { ordinary: '1 day' } }, { clocks: { confirm: '+1wd' } }, { scheduler: { headsUp: { ordinary: '4x' } } }, { calendar: { lunch: '12-13' } }]) {
      expect(() => parseConfig(bad as never), JSON.stringify(bad)).toThrow(/wd|HH:mm/);
    }
  });

  it('reads the file named by BOT_CONFIG and keeps the public key paths', () => {
    const p = file(
      'ok.json',
      JSON.stringify({
        server: { host: '0.0.0.0', port: 8080 },
        database: { file: '/var/lib/groupflow/bot.db' },
        calendar: { timezone: 'Asia/Shanghai' },
        clocks: { ordinary: '8h', urgent: '30m' },
        platforms: { sandbox: { enabled: false } },
      }),
    );
    const c = loadConfig({ BOT_CONFIG: p } as NodeJS.ProcessEnv);
    expect(c.server.port).toBe(8080);
    expect(c.database.file).toBe('/var/lib/groupflow/bot.db');
    expect(c.clocks).toMatchObject({ ordinary: '8h', urgent: '30m' });
    expect(sandboxEnabled(c)).toBe(false);
  });

  it('the sandbox turns off once a real platform is enabled, unless explicitly kept on', () => {
    const feishu = { enabled: true, appId: 'cli_a', appSecret: 's', encryptKey: 'k' };
    expect(sandboxEnabled(parseConfig({ platforms: { feishu } }))).toBe(false);
    expect(sandboxEnabled(parseConfig({ platforms: { feishu, sandbox: { enabled: true } } }))).toBe(true);
  });

  it('secrets can come from the environment', () => {
    const p = file('env.json', JSON.stringify({ platforms: { feishu: { enabled: true, appId: 'cli_x', encryptKey: 'k' } } }));
    const c = loadConfig({ BOT_CONFIG: p, FEISHU_APP_SECRET: 'from-env', DINGTALK_CLIENT_SECRET: 'd' } as NodeJS.ProcessEnv);
    expect(c.platforms.feishu.appSecret).toBe('from-env');
    expect(c.platforms.dingtalk.clientSecret).toBe('d');
  });

  it('an invalid config lists every bad key path and why, in one error', () => {
    const p = file(
      'bad.json',
      JSON.stringify({
        server: { port: 'eighty', hostt: 'x' },
        calendar: { timezone: 'Mars/Olympus', workStart: '9am' },
        clocks: { urgent: 'soon' },
        platforms: { feishu: { enabled: true, domain: 'not a url' }, dingtalk: { enabled: true, clientId: 'id' } },
        extra: 1,
      }),
    );
    let err: ConfigError | undefined;
    try {
      loadConfig({ BOT_CONFIG: p } as NodeJS.ProcessEnv);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.message;
    for (const path of [
      'server.port',
      'server: ',
      'hostt',
      'calendar.timezone',
      'calendar.workStart',
      'clocks.urgent',
      'platforms.feishu.domain',
      'extra',
    ]) {
      expect(text).toContain(path);
    }
    expect(text).toContain(p);
  });

  it('missing credentials of an enabled platform are reported by key', () => {
    expect(() => parseConfig({ platforms: { dingtalk: { enabled: true, clientId: 'id' } } })).toThrow(
      /platforms\.dingtalk\.clientSecret[\s\S]*platforms\.dingtalk\.robotCode/,
    );
    expect(() => parseConfig({ platforms: { feishu: { enabled: true, appId: 'a', appSecret: 'b' } } })).toThrow(
      /platforms\.feishu\.encryptKey/,
    );
  });

  it('a file that is not JSON, or a BOT_CONFIG that does not exist, is a clear error', () => {
    expect(() => loadConfig({ BOT_CONFIG: file('broken.json', '{ nope') } as NodeJS.ProcessEnv)).toThrow(/无法解析 JSON/);
    expect(() => loadConfig({ BOT_CONFIG: join(dir, 'missing.json') } as NodeJS.ProcessEnv)).toThrow(/文件不存在/);
  });
});

describe('bot.config.example.json', () => {
  it('is a valid config whose values are the defaults', () => {
    const c = loadConfig({ BOT_CONFIG: join(__dirname, '../../bot.config.example.json') } as NodeJS.ProcessEnv);
    expect(c).toEqual(parseConfig({}));
  });
});

describe('bot.config.example.json documents every key', () => {
  it('has each key of the schema (or a // comment for optional ones)', async () => {
    const { readFileSync } = await import('node:fs');
    const example = JSON.parse(readFileSync(join(__dirname, '../../bot.config.example.json'), 'utf8')) as Record<string, unknown>;
    const missing: string[] = [];
    const walk = (defaults: Record<string, unknown>, ex: Record<string, unknown> | undefined, path: string) => {
      for (const [k, v] of Object.entries(defaults)) {
        const here = `${path}${k}`;
        if (!ex || (!(k in ex) && !(`//${k}` in ex))) missing.push(here);
        else if (v && typeof v === 'object' && !Array.isArray(v) && ex[k] && typeof ex[k] === 'object') {
          walk(v as Record<string, unknown>, ex[k] as Record<string, unknown>, `${here}.`);
        }
      }
    };
    walk(parseConfig({}) as unknown as Record<string, unknown>, example, '');
    for (const optional of ['server.publicUrl', 'log.pretty', 'platforms.sandbox.enabled']) {
      const [head, ...rest] = optional.split('.');
      let node = example[head!] as Record<string, unknown>;
      for (const r of rest.slice(0, -1)) node = node[r] as Record<string, unknown>;
      if (!(`//${rest.at(-1)}` in node)) missing.push(optional);
    }
    expect(missing).toEqual([]);
  });
});
