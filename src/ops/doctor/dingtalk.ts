// The DingTalk checks of `npm run doctor`: credentials, the robot code (a text into a chat), the
// card template (a card into that chat), and the receive path: the Stream gateway in stream
// mode, the card callback registration in HTTP mode. Messages go through the bot's own sender.

import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../domain/clock.ts';
import { DingtalkApi } from '../../platforms/dingtalk/dingtalk.api.ts';
import { CallbackGate, CARD_ROUTE_KEY, createSender, WebhookBook } from '../../platforms/dingtalk/dingtalk.outbound.ts';
import type { SendResult } from '../../platforms/platform.ts';
import type { Outbound } from '../../domain/chat.ts';
import { bad, type Check, ok, type PlatformCheckOptions, post, quietLog, selfCheckCard, vendorError, warn } from './check.ts';

const PERMISSIONS = '开发者后台 → 权限管理';
const ASK_CHAT = 'npm run doctor -- --chat <openConversationId>（机器人收到的群消息里的 conversationId，形如 cid…）/ the conversationId of a group message the robot received';

/**
 * What to do for the codes admins meet. Robot codes: https://open.dingtalk.com/document/development/the-robot-sends-a-group-message;
 * template codes contain "template" (param.templateUnpublished is the one seen in public reports).
 */
export function dingtalkFix(code: string, permission: string): string | undefined {
  if (/template/i.test(code)) return undefined; // the template check names the template
  switch (code) {
    case 'invalidParameter.robotCode.auth':
      return 'platforms.dingtalk.robotCode 应为本应用机器人的 RobotCode：开发者后台 → 应用能力 → 机器人 → 机器人配置（企业内部应用即 AppKey）/ robotCode must be this app’s robot code (for internal apps: the AppKey)';
    case 'invalid.openConversationId':
    case 'resource.unavailable':
      return '群 ID 不对或机器人不在群里：群设置 → 机器人 → 添加机器人 → 选择本应用；群 ID 取机器人收到的消息里的 conversationId / wrong chat id or the robot is not in it: group settings → Robots → Add robot → this app';
    case 'Forbidden.AccessDenied.AccessTokenPermissionDenied':
      return `${PERMISSIONS} → 申请 ${permission}，等待审批生效 / Permissions → request ${permission}`;
    case 'timeout':
    case 'network':
      return '检查网络或 platforms.dingtalk.apiBase / check the network or platforms.dingtalk.apiBase';
    default:
      return undefined;
  }
}

export async function checkDingtalk(config: Config, o: PlatformCheckOptions): Promise<Check[]> {
  const cred = await checkCredentials(config, o);
  if (!cred.ok) return [cred];
  const d = config.platforms.dingtalk;
  const api = new DingtalkApi({ apiBase: d.apiBase.replace(/\/+$/, ''), clientId: d.clientId, clientSecret: d.clientSecret, clock: systemClock, log: quietLog, timeoutMs: o.timeoutMs });
  const send = createSender({
    api,
    cfg: { mode: d.mode, robotCode: d.robotCode, cardTemplateId: d.cardTemplateId },
    webhooks: new WebhookBook(d.oapiBase),
    gate: new CallbackGate(),
    clock: systemClock,
    log: quietLog,
  });
  const deliver = (body: Outbound['body']): Promise<SendResult> =>
    send({ platform: 'dingtalk', chatId: `dingtalk:${o.chat}`, body }, { idempotencyKey: `doctor-${Date.now()}-${body.type}` });
  // In HTTP mode the callback route is registered before a card names it, as the bot does at start.
  const receive = d.mode === 'stream' ? await checkStream(api) : await checkCallback(api, config);
  return [cred, await checkRobot(config, o, deliver), receive, await checkTemplate(config, o, deliver)];
}

// https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
async function checkCredentials(config: Config, o: PlatformCheckOptions): Promise<Check> {
  const d = config.platforms.dingtalk;
  const name = '钉钉凭证 / DingTalk credentials';
  const url = `${d.apiBase.replace(/\/+$/, '')}/v1.0/oauth2/accessToken`;
  try {
    const r = await post(url, { appKey: d.clientId, appSecret: d.clientSecret }, o);
    if (r.status === 200 && typeof r.json.accessToken === 'string') return ok(name, `AppKey ${d.clientId} 可以换取 accessToken / credentials accepted`);
    return bad(
      name,
      `${d.apiBase} 拒绝了 AppKey ${d.clientId}：${String(r.json.code ?? r.status)} ${String(r.json.message ?? '')}。请核对 platforms.dingtalk.clientId / clientSecret（开发者后台 → 凭证与基础信息）/ the token endpoint refused these credentials`,
    );
  } catch (err) {
    return bad(name, `无法连接 ${d.apiBase}：${(err as Error).message}。请检查网络或 platforms.dingtalk.apiBase / cannot reach the OpenAPI`);
  }
}

async function checkRobot(config: Config, o: PlatformCheckOptions, deliver: (b: Outbound['body']) => Promise<SendResult>): Promise<Check> {
  const d = config.platforms.dingtalk;
  const name = '钉钉机器人 / DingTalk robot';
  if (o.chat) {
    try {
      await deliver({ type: 'text', text: 'Groupflow 自检：机器人可以在本群发消息 / self-check: the robot can post here', mentions: [] });
      return ok(name, `robotCode ${d.robotCode} 已向群 ${o.chat} 发出一条自检消息 / a self-check text was posted to ${o.chat}`);
    } catch (err) {
      const e = vendorError(err);
      return bad(name, `robotCode ${d.robotCode} 向群 ${o.chat} 发送失败：${e.message} / could not post to ${o.chat}`, dingtalkFix(e.code, 'qyapi_robot_sendmsg（企业内机器人发送消息权限）'));
    }
  }
  const differs = d.robotCode !== d.clientId ? `；robotCode ${d.robotCode} 与 AppKey ${d.clientId} 不同，企业内部应用的 robotCode 通常就是 AppKey / robotCode differs from the AppKey` : '';
  return warn(name, `未指定 --chat，未测试发送 / no --chat given: sending was not tested${differs}`, ASK_CHAT);
}

async function checkTemplate(config: Config, o: PlatformCheckOptions, deliver: (b: Outbound['body']) => Promise<SendResult>): Promise<Check> {
  const d = config.platforms.dingtalk;
  const name = '钉钉卡片模板 / DingTalk card template';
  const importIt = '在卡片平台导入并发布 Groupflow 模板（见 docs/dingtalk.md），复制模板 ID 填入 platforms.dingtalk.cardTemplateId / import and publish the Groupflow template in the card platform, copy its id into platforms.dingtalk.cardTemplateId';
  if (!d.cardTemplateId) return warn(name, '未配置 cardTemplateId：卡片将以 Markdown 发送、没有按钮 / no cardTemplateId: cards go as markdown without buttons', importIt);
  if (!o.chat) return warn(name, `未指定 --chat，模板 ${d.cardTemplateId} 未验证 / no --chat given: the template was not tried`, ASK_CHAT);
  try {
    await deliver({ type: 'card', card: selfCheckCard(o.now ?? new Date()), cardKey: 'doctor' });
    return ok(name, `模板 ${d.cardTemplateId} 可用：已向群 ${o.chat} 投递一张自检卡片 / a self-check card was delivered with this template`);
  } catch (err) {
    const e = vendorError(err);
    const detail = `模板 ${d.cardTemplateId} 投递失败：${e.message} / the card could not be created`;
    if (/template/i.test(e.code)) {
      return bad(
        name,
        detail,
        '模板不存在、未发布或不属于本应用：在卡片平台导入 Groupflow 模板（见 docs/dingtalk.md）→ 发布，复制模板 ID 填入 platforms.dingtalk.cardTemplateId / the template is missing, unpublished or another app’s: import it in the card platform, publish it, copy its id into platforms.dingtalk.cardTemplateId',
      );
    }
    return bad(name, detail, dingtalkFix(e.code, 'Card.Instance.Write（互动卡片实例写权限）') ?? importIt);
  }
}

async function checkStream(api: DingtalkApi): Promise<Check> {
  const name = '钉钉 Stream / DingTalk Stream';
  const setting = '开发者后台 → 应用能力 → 机器人 → 消息接收模式 选「Stream 模式」并发布 / Robot → message receiving mode: Stream, then publish';
  try {
    // The same subscriptions the bot's Stream client registers: robot messages and card clicks.
    await api.openGateway(
      [
        { type: 'EVENT', topic: '*' },
        { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
        { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
      ],
      'groupflow-doctor',
    );
    return ok(name, `网关发出了连接票据 / the gateway handed out a connection ticket。${setting}；同一应用只让一个进程连接 / keep one process connected per app`);
  } catch (err) {
    const e = vendorError(err);
    return bad(name, `Stream 网关拒绝：${e.message} / the Stream gateway refused`, `${setting}；核对 platforms.dingtalk.clientId / clientSecret`);
  }
}

async function checkCallback(api: DingtalkApi, config: Config): Promise<Check> {
  const d = config.platforms.dingtalk;
  const name = '钉钉卡片回调 / DingTalk card callback';
  const base = config.server.publicUrl?.replace(/\/+$/, '');
  if (!base) {
    return bad(
      name,
      'HTTP 模式未配置 server.publicUrl：卡片回调无法登记，点按钮没有反应 / no server.publicUrl: card clicks cannot reach the bot',
      '把 server.publicUrl 设为机器人的公网 https 地址，或改用 platforms.dingtalk.mode = stream / set server.publicUrl to the bot’s public https address, or use stream mode',
    );
  }
  const callbackUrl = `${base}/dingtalk/card`;
  try {
    // The same registration the bot makes at start (forceUpdate), so running it again is harmless.
    await api.registerCardCallback({ callbackRouteKey: CARD_ROUTE_KEY, callbackUrl, apiSecret: d.clientSecret });
  } catch (err) {
    const e = vendorError(err);
    return bad(name, `登记卡片回调 ${callbackUrl} 失败：${e.message} / registering the card callback failed`, dingtalkFix(e.code, '互动卡片相关接口权限 / the card permissions') ?? '稍后重试 / try again later');
  }
  const detail = `已登记卡片回调 ${callbackUrl}；机器人配置 → 消息接收模式 HTTP，消息接收地址填 ${base}/dingtalk/events / card callback registered; robot message URL: ${base}/dingtalk/events`;
  if (!base.startsWith('https://')) return warn(name, `${detail}。server.publicUrl 不是 https，钉钉回调应使用 HTTPS / server.publicUrl is not https`, '把 server.publicUrl 设为反向代理后的 https 地址 / use the https address of the reverse proxy');
  return ok(name, detail);
}
