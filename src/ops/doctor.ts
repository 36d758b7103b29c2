// `npm run doctor`: checks the config, the database and each enabled platform's credentials
// against its token endpoint, and says plainly what is wrong and how to fix it.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Config, sandboxEnabled } from '../config/schema.ts';
import { WorkCalendar } from '../domain/calendar.ts';
import { migrationsApplied, openDatabase, SHORT_LIVED } from '../db/connection.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** Warnings do not fail the doctor. */
  level: 'ok' | 'warn' | 'error';
  detail: string;
}

export interface DoctorOptions {
  now?: Date;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const ok = (name: string, detail: string): Check => ({ name, ok: true, level: 'ok', detail });
const warn = (name: string, detail: string): Check => ({ name, ok: true, level: 'warn', detail });
const bad = (name: string, detail: string): Check => ({ name, ok: false, level: 'error', detail });

export async function runDoctor(config: Config, o: DoctorOptions = {}): Promise<Check[]> {
  const checks: Check[] = [ok('配置 / config', '配置文件有效 / the configuration is valid')];
  checks.push(checkDatabase(config));
  checks.push(...checkCalendar(config, o.now ?? new Date()));
  checks.push(...checkExposure(config));
  if (config.platforms.feishu.enabled) checks.push(await checkFeishu(config, o));
  if (config.platforms.dingtalk.enabled) checks.push(await checkDingtalk(config, o));
  if (!config.platforms.feishu.enabled && !config.platforms.dingtalk.enabled) {
    checks.push(warn('平台 / platforms', '飞书和钉钉都未启用，只有本地沙盒 / neither Feishu nor DingTalk is enabled: sandbox only'));
  }
  return checks;
}

function checkDatabase(config: Config): Check {
  const file = config.database.file;
  const name = '数据库 / database';
  try {
    if (file !== ':memory:' && !existsSync(file)) {
      const dir = dirname(resolve(file));
      if (existsSync(dir)) accessSync(dir, constants.W_OK);
      return ok(name, `${file} 尚不存在，首次启动时创建 / will be created at first start`);
    }
    const db = openDatabase(file, SHORT_LIVED);
    const applied = migrationsApplied(db);
    db.$client.close();
    return applied ? ok(name, `${file} 可读写，迁移已全部应用 / reachable, migrations applied`) : warn(name, `${file} 有未应用的迁移，启动或 npm run migrate 时应用 / pending migrations (applied at start or by npm run migrate)`);
  } catch (err) {
    return bad(name, `无法打开 ${file}：${(err as Error).message} / cannot open the database file`);
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

async function post(url: string, body: unknown, o: DoctorOptions): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await (o.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text.slice(0, 200) };
  }
  return { status: res.status, json };
}

// https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
async function checkFeishu(config: Config, o: DoctorOptions): Promise<Check> {
  const f = config.platforms.feishu;
  const name = '飞书凭证 / Feishu credentials';
  const url = `${f.domain.replace(/\/+$/, '')}/open-apis/auth/v3/tenant_access_token/internal`;
  try {
    const r = await post(url, { app_id: f.appId, app_secret: f.appSecret }, o);
    if (r.status === 200 && r.json.code === 0 && typeof r.json.tenant_access_token === 'string') {
      return ok(name, `App ID ${f.appId} 可以换取 tenant_access_token / credentials accepted by ${f.domain}`);
    }
    return bad(
      name,
      `${f.domain} 拒绝了 App ID ${f.appId}：code ${String(r.json.code ?? r.status)} ${String(r.json.msg ?? '')}。请核对 platforms.feishu.appId / appSecret（开发者后台 → 凭证与基础信息）/ the token endpoint refused these credentials`,
    );
  } catch (err) {
    return bad(name, `无法连接 ${f.domain}：${(err as Error).message}。请检查网络或 platforms.feishu.domain / cannot reach the OpenAPI`);
  }
}

// https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
async function checkDingtalk(config: Config, o: DoctorOptions): Promise<Check> {
  const d = config.platforms.dingtalk;
  const name = '钉钉凭证 / DingTalk credentials';
  const url = `${d.apiBase.replace(/\/+$/, '')}/v1.0/oauth2/accessToken`;
  try {
    const r = await post(url, { appKey: d.clientId, appSecret: d.clientSecret }, o);
    if (r.status === 200 && typeof r.json.accessToken === 'string') {
      const tpl = d.cardTemplateId ? '' : '；未配置 cardTemplateId，卡片将以 Markdown 发送、没有按钮 / no cardTemplateId: cards go as markdown without buttons';
      return { ...ok(name, `AppKey ${d.clientId} 可以换取 accessToken / credentials accepted${tpl}`), level: d.cardTemplateId ? 'ok' : 'warn' };
    }
    return bad(
      name,
      `${d.apiBase} 拒绝了 AppKey ${d.clientId}：${String(r.json.code ?? r.status)} ${String(r.json.message ?? '')}。请核对 platforms.dingtalk.clientId / clientSecret（开发者后台 → 凭证与基础信息）/ the token endpoint refused these credentials`,
    );
  } catch (err) {
    return bad(name, `无法连接 ${d.apiBase}：${(err as Error).message}。请检查网络或 platforms.dingtalk.apiBase / cannot reach the OpenAPI`);
  }
}

export function formatChecks(checks: Check[]): string {
  const mark = { ok: '✅', warn: '⚠️ ', error: '❌' } as const;
  return checks.map((c) => `${mark[c.level]} ${c.name}: ${c.detail}`).join('\n');
}
