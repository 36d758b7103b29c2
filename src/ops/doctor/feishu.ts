// The Feishu checks of `npm run doctor`: credentials, the bot's identity, sending into a chat,
// the scopes (read from the errors Feishu returns), and the receive mode against the console.
// Known error codes are turned into the console clicks that fix them.

import type { Config } from '../../config/schema.ts';
import { FeishuApi } from '../../platforms/feishu/feishu.api.ts';
import { bad, type Check, ok, type PlatformCheckOptions, post, quietLog, selfCheckCard, vendorError, warn } from './check.ts';

const PUBLISH_ZH = '版本管理与发布 → 创建版本并发布';

/** The scopes a 99991672 names: "… One of the following scopes is required: [a, b]." */
export function scopesIn(message: string): string[] {
  const m = /\[([^\]]+)\]/.exec(message);
  return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/**
 * What to click for the errors admins hit. Codes: https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code
 * and the message API's own table; 200340 is documented as the client's error for clicks on a
 * card whose callback is not subscribed (card-callback-communication).
 */
export function feishuFix(code: string, message: string): string | undefined {
  switch (code) {
    case '200340':
      return `开发者后台 → 事件与回调 → 回调配置 → 添加回调 card.action.trigger（订阅方式与 platforms.feishu.mode 一致），再 ${PUBLISH_ZH} / Events & callbacks → Callback configuration → add card.action.trigger (same mode as platforms.feishu.mode), then publish a new version`;
    case '99991663':
    case '99991668':
      return 'tenant_access_token 被拒：核对 platforms.feishu.appId / appSecret 与 platforms.feishu.domain（飞书 https://open.feishu.cn 与 Lark https://open.larksuite.com 不能混用），确认应用已发布且已在本企业启用 / the tenant token was refused: check appId / appSecret against platforms.feishu.domain (Feishu and Lark do not mix) and that the app is published and enabled';
    case '99991672': {
      const scopes = scopesIn(message);
      const list = scopes.length ? scopes.join(' 或 / or ') : '错误信息中列出的权限 / the scope the error names';
      return `开发者后台 → 权限管理 → 开通 ${list}，再 ${PUBLISH_ZH} / Permissions & scopes → add ${scopes.join(' or ') || 'the scope the error names'}, then publish a new version`;
    }
    case '230002':
      return '机器人不在这个群：群设置 → 群机器人 → 添加机器人 → 选择本应用 / the bot is not in this chat: chat settings → Bots → Add bot → this app';
    case '230006':
    case 'bot_info':
      return `机器人能力未开启：开发者后台 → 应用能力 → 添加应用能力 → 机器人，再 ${PUBLISH_ZH} / bot capability is off: Features → add Bot, then publish a new version`;
    case '11232':
    case '230020':
    case '99991400':
      return '发送频率超限：稍后再试，并确认没有别的进程用同一个应用大量发消息 / rate limited: try again later, and check no other process sends with the same app';
    case 'token':
      return '核对 platforms.feishu.appId / appSecret（开发者后台 → 凭证与基础信息）/ check appId / appSecret (Credentials & basic info)';
    default:
      return undefined;
  }
}

function failed(name: string, what: string, err: unknown, fallback: string): Check {
  const e = vendorError(err);
  return bad(name, `${what}：${e.message}`, feishuFix(e.code, e.message) ?? fallback);
}

export async function checkFeishu(config: Config, o: PlatformCheckOptions): Promise<Check[]> {
  const cred = await checkCredentials(config, o);
  if (!cred.ok) return [cred];
  const f = config.platforms.feishu;
  const api = new FeishuApi({ appId: f.appId, appSecret: f.appSecret, domain: f.domain, log: quietLog, timeoutMs: o.timeoutMs });
  return [cred, await checkIdentity(api), await checkSend(api, o), await checkMode(config, o)];
}

// https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
async function checkCredentials(config: Config, o: PlatformCheckOptions): Promise<Check> {
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

async function checkIdentity(api: FeishuApi): Promise<Check> {
  const name = '飞书机器人 / Feishu bot';
  try {
    const bot = await api.botInfo();
    return ok(name, `机器人 ${bot.name ?? ''}（open_id ${bot.openId}）/ the bot's identity was read`);
  } catch (err) {
    return failed(name, '读取机器人信息失败 / bot/v3/info failed', err, `开发者后台 → 应用能力 → 机器人 已开启，再 ${PUBLISH_ZH} / turn on the bot capability, then publish a new version`);
  }
}

async function checkSend(api: FeishuApi, o: PlatformCheckOptions): Promise<Check> {
  const name = '飞书发送 / Feishu send';
  if (o.chat) {
    try {
      const card = selfCheckCard(o.now ?? new Date());
      await api.send({ platform: 'feishu', chatId: `feishu:${o.chat}`, body: { type: 'card', card, cardKey: 'doctor' } }, { idempotencyKey: `doctor-${Date.now()}` });
      return ok(name, `已向群 ${o.chat} 发出一张自检卡片 / a self-check card was posted to ${o.chat}`);
    } catch (err) {
      return failed(name, `向群 ${o.chat} 发送失败 / could not post to ${o.chat}`, err, '开发者后台 → 权限管理 → 开通 im:message:send_as_bot，再发布新版本 / add im:message:send_as_bot and publish');
    }
  }
  const skipped = '未指定 --chat，未测试发送 / no --chat given: sending was not tested';
  try {
    const chats = await api.chats();
    if (!chats.length) {
      return warn(name, `${skipped}；机器人还不在任何群里 / the bot is in no chat yet`, '把机器人加进群：群设置 → 群机器人 → 添加机器人 / add the bot to a chat: chat settings → Bots → Add bot');
    }
    const list = chats.map((c) => `${c.chatId} ${c.name}`.trim()).join('、');
    return warn(name, `${skipped}。机器人所在的群 / chats the bot is in：${list}`, `npm run doctor -- --chat ${chats[0]!.chatId}`);
  } catch (err) {
    const e = vendorError(err);
    return warn(name, `${skipped}；列出机器人所在的群失败：${e.message} / listing the bot's chats failed`, feishuFix(e.code, e.message) ?? 'npm run doctor -- --chat <chat_id>');
  }
}

async function checkMode(config: Config, o: PlatformCheckOptions): Promise<Check> {
  const f = config.platforms.feishu;
  const name = '飞书接收模式 / Feishu mode';
  const hintZh = '回调配置 中须添加 card.action.trigger，否则点卡片按钮报 200340';
  const hintEn = 'add card.action.trigger under callbacks, or clicks show 200340';
  if (f.mode === 'longconn') {
    // The endpoint the SDK's WSClient asks first; a refusal here is what keeps it from connecting.
    try {
      const r = await post(`${f.domain.replace(/\/+$/, '')}/callback/ws/endpoint`, { AppID: f.appId, AppSecret: f.appSecret }, o);
      const data = r.json.data as { URL?: unknown } | undefined;
      if (r.status === 200 && r.json.code === 0 && typeof data?.URL === 'string') {
        return ok(
          name,
          `长连接可用。控制台 事件与回调 → 事件配置 与 回调配置 的订阅方式都选「使用长连接接收」（保存时机器人须在运行）；${hintZh} / the long connection is available: choose long connection for events and callbacks (the bot must be running to save); ${hintEn}`,
        );
      }
      const code = String(r.json.code ?? r.status);
      const fix =
        code === '1000040350'
          ? '连接数已满（每个应用最多 50 个）：停掉其他用同一应用连接的进程 / too many connections (50 per app): stop other clients of this app'
          : '长连接只支持企业自建应用：核对 platforms.feishu.appId / appSecret，或改用 platforms.feishu.mode = webhook / long connections are for self-built apps only: check the credentials, or use webhook mode';
      return bad(name, `长连接端点拒绝：code ${code} ${String(r.json.msg ?? '')} / the long-connection endpoint refused`, fix);
    } catch (err) {
      return bad(name, `无法连接长连接端点：${(err as Error).message} / cannot reach the long-connection endpoint`, '检查出站网络 / check outbound network access');
    }
  }
  const base = config.server.publicUrl?.replace(/\/+$/, '');
  const where = '开发者后台 → 事件与回调：事件配置 → 请求地址 https://<公网域名>/feishu/events，回调配置 → 请求地址 https://<公网域名>/feishu/card / Events & callbacks: request URLs …/feishu/events and …/feishu/card';
  if (!base) return warn(name, '未配置 server.publicUrl，无法核对回调地址 / no server.publicUrl: the request URLs cannot be given', `设置 server.publicUrl；${where}`);
  const detail = `控制台 事件与回调 → 事件配置 → 请求地址填 ${base}/feishu/events；回调配置 → 请求地址填 ${base}/feishu/card；${hintZh} / request URLs: ${base}/feishu/events (events), ${base}/feishu/card (callbacks); ${hintEn}`;
  if (!base.startsWith('https://')) return warn(name, `${detail}。server.publicUrl 不是 https / server.publicUrl is not https`, 'server.publicUrl 应为反向代理后的公网 HTTPS 地址 / use the public HTTPS address of the reverse proxy');
  return ok(name, detail);
}
