// `npm run doctor`: checks the config, the database, the calendar and exposure here, and each
// enabled platform's console settings in `doctor/` (loaded only when that platform is enabled);
// says plainly what is wrong and how to fix it.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Config, sandboxEnabled } from '../config/schema.ts';
import { WorkCalendar } from '../domain/calendar.ts';
import { describeTarget, migrationsApplied, openConfigured, openDatabase, SHORT_LIVED } from '../db/connection.ts';
import { closeDatabase } from '../db/maintenance.ts';
import { bad, type Check, type DoctorOptions, ok, warn } from './doctor/check.ts';

export type { Check, DoctorOptions } from './doctor/check.ts';

export async function runDoctor(config: Config, o: DoctorOptions = {}): Promise<Check[]> {
  const checks: Check[] = [ok('配置 / config', '配置文件有效 / the configuration is valid')];
  checks.push(checkDatabase(config));
  checks.push(...checkCalendar(config, o.now ?? new Date()));
  checks.push(...checkExposure(config));
  const chats = assignChats(config, o.chats ?? []);
  checks.push(...chats.unknown.map((id) => bad('--chat', `无法判断 ${id} 属于哪个平台 / cannot tell which platform ${id} belongs to`, `写成 feishu:<chat_id> 或 dingtalk:<openConversationId> / write feishu:<id> or dingtalk:<id>`)));
  if (config.platforms.feishu.enabled) {
    const { checkFeishu } = await import('./doctor/feishu.ts');
    checks.push(...(await checkFeishu(config, { ...o, chat: chats.feishu })));
  }
  if (config.platforms.dingtalk.enabled) {
    const { checkDingtalk } = await import('./doctor/dingtalk.ts');
    checks.push(...(await checkDingtalk(config, { ...o, chat: chats.dingtalk })));
  }
  if (!config.platforms.feishu.enabled && !config.platforms.dingtalk.enabled) {
    checks.push(warn('平台 / platforms', '飞书和钉钉都未启用，只有本地沙盒 / neither Feishu nor DingTalk is enabled: sandbox only'));
  }
  return checks;
}

/**
 * Which platform each `--chat` belongs to: an explicit `feishu:` / `dingtalk:` prefix, else the
 * id's shape (Feishu chat ids start with `oc_`, DingTalk conversation ids with `cid`), else the
 * only enabled platform.
 */
export function assignChats(config: Config, ids: string[]): { feishu?: string; dingtalk?: string; unknown: string[] } {
  const out: { feishu?: string; dingtalk?: string; unknown: string[] } = { unknown: [] };
  const only = config.platforms.feishu.enabled !== config.platforms.dingtalk.enabled ? (config.platforms.feishu.enabled ? 'feishu' : 'dingtalk') : undefined;
  for (const raw of ids) {
    const m = /^(feishu|dingtalk):(.+)$/.exec(raw);
    const platform = m ? m[1] : raw.startsWith('oc_') ? 'feishu' : raw.startsWith('cid') ? 'dingtalk' : only;
    const id = m ? m[2]! : raw;
    if (platform === 'feishu') out.feishu = id;
    else if (platform === 'dingtalk') out.dingtalk = id;
    else out.unknown.push(raw);
  }
  return out;
}

/** `npm run doctor` arguments: `--chat <id>` (repeatable, also `--chat=<id>`). */
export function parseDoctorArgs(argv: string[]): { chats: string[]; errors: string[] } {
  const chats: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    if (a.startsWith('--chat=')) chats.push(a.slice('--chat='.length));
    else if (a === '--chat' && argv[i + 1] && !argv[i + 1]!.startsWith('--')) chats.push(argv[++i]!);
    else errors.push(a === '--chat' ? '--chat 需要一个群 ID / --chat needs a chat id' : `未知参数 ${a} / unknown argument`);
  }
  return { chats: chats.filter(Boolean), errors };
}

/** 1 when any check failed (warnings do not count). */
export function exitCode(checks: Check[]): number {
  return checks.some((c) => !c.ok) ? 1 : 0;
}

function checkDatabase(config: Config): Check {
  const file = config.database.file;
  const name = '数据库 / database';
  if (config.database.url) return checkPostgres(config, name);
  try {
    if (file !== ':memory:' && !existsSync(file)) {
      const dir = dirname(resolve(file));
      if (existsSync(dir)) accessSync(dir, constants.W_OK);
      return ok(name, `${file} 尚不存在，首次启动时创建 / will be created at first start`);
    }
    const db = openDatabase(file, SHORT_LIVED);
    const applied = migrationsApplied(db);
    closeDatabase(db);
    return applied ? ok(name, `${file} 可读写，迁移已全部应用 / reachable, migrations applied`) : warn(name, `${file} 有未应用的迁移，启动或 npm run migrate 时应用 / pending migrations (applied at start or by npm run migrate)`);
  } catch (err) {
    return bad(name, `无法打开 ${file}：${(err as Error).message} / cannot open the database file`);
  }
}

function checkPostgres(config: Config, name: string): Check {
  const where = describeTarget(config.database);
  try {
    const db = openConfigured(config.database, SHORT_LIVED);
    const applied = migrationsApplied(db);
    closeDatabase(db);
    return applied ? ok(name, `${where} 可连接，迁移已全部应用 / reachable, migrations applied`) : warn(name, `${where} 有未应用的迁移，启动或 npm run migrate 时应用 / pending migrations (applied at start or by npm run migrate)`);
  } catch (err) {
    return bad(name, `无法连接 ${where}：${(err as Error).message} / cannot connect to PostgreSQL`);
  }
}

function checkCalendar(config: Config, now: Date): Check[] {
  const cal = new WorkCalendar({ ...config.calendar });
  const missing = cal.missingYears(now);
  return missing.length
    ? [warn('工作日历 / calendar', `缺少 ${missing.join('、')} 年法定节假日数据，请在 calendar.extraHolidays / extraWorkdays 中补充 / no holiday data for ${missing.join(', ')}`)]
    : [ok('工作日历 / calendar', `${config.calendar.timezone}，节假日数据完整 / holiday data present`)];
}

function checkExposure(config: Config): Check[] {
  const out: Check[] = [];
  const loopback = /^(127\.|::1$|localhost$)/.test(config.server.host);
  if (sandboxEnabled(config) && !loopback && config.platforms.sandbox.allowRemote) {
    out.push(warn('沙盒 / sandbox', '沙盒对外开放：任何人都可以冒充任何用户 / the sandbox is reachable from outside and lets anyone act as anyone'));
  }
  const webhook = (config.platforms.feishu.enabled && config.platforms.feishu.mode === 'webhook') || (config.platforms.dingtalk.enabled && config.platforms.dingtalk.mode === 'http');
  if (webhook && loopback) {
    out.push(warn('监听地址 / listen address', `server.host 为 ${config.server.host}：回调需经反向代理转发到本机 / webhooks must reach this loopback address through a reverse proxy`));
  }
  if (webhook && !config.server.publicUrl) {
    out.push(warn('公网地址 / publicUrl', '未配置 server.publicUrl：归档下载链接和钉钉卡片回调地址需要它 / set server.publicUrl for export links and DingTalk card callbacks'));
  }
  return out;
}

export function formatChecks(checks: Check[]): string {
  const mark = { ok: '✓', warn: '⚠', error: '✗' } as const;
  return checks.map((c) => `${mark[c.level]} ${c.name}: ${c.detail}${c.fix ? `\n    → ${c.fix}` : ''}`).join('\n');
}
