// What the platforms put on the wire, built from their protocol docs with node:crypto only (never
// the project's own helpers, so a bug there cannot make the bench agree with itself).
// Feishu (shared/platforms/feishu.md §1): body {"encrypt": Base64(IV ‖ AES-256-CBC(key =
// SHA-256(Encrypt Key), PKCS#7))}; X-Lark-Signature = hex SHA-256(timestamp + nonce + key + body).
// DingTalk (shared/platforms/dingtalk.md §1): headers timestamp (ms) and
// sign = Base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret)); plain JSON body.

import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

export const FEISHU = {
  appId: 'cli_0123456789abcdef',
  appSecret: 'bench-app-secret',
  encryptKey: 'bench-encrypt-key',
  verificationToken: 'bench-verification-token',
  botOpenId: 'ou_benchbot',
} as const;

export const DINGTALK = {
  clientId: 'dingbenchkey',
  clientSecret: 'bench-dingtalk-secret',
  bot: '$:LWCP_v1:$benchbot==',
} as const;

export interface WireRequest {
  body: string;
  headers: Record<string, string>;
}

const PEOPLE = ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九', '吴十'].map((name, i) => ({
  name,
  openId: `ou_bench${String(i).padStart(4, '0')}`,
  staffId: `u_bench${i}`,
}));
const CHATS = 40;
const CHAT_TEXTS = [
  '下午三点开会讨论一下接口联调的排期，大家看看时间是否合适',
  '测试环境已经部署好了，地址发在群公告里',
  '收到，我这边今天下班前把文档补齐',
  '昨天的问题复现了吗？日志我已经上传到共享盘',
];

const keys = new Map<string, Buffer>();
const aesKey = (encryptKey: string) => {
  let k = keys.get(encryptKey);
  if (!k) keys.set(encryptKey, (k = createHash('sha256').update(encryptKey, 'utf8').digest()));
  return k;
};

/** Run-unique ids: a prefix per process start, then a counter. */
const RUN = randomBytes(4).toString('hex');
let seq = 0;
const nextId = (p: string) => `${p}${RUN}${(++seq).toString(16).padStart(8, '0')}`;

export type FeishuVariant = 'plain' | 'command';

/** One `im.message.receive_v1` v2 envelope: a group text message, plain chat or `/反馈 @李四 …`. */
export function feishuMessageEvent(variant: FeishuVariant, now: Date): Record<string, unknown> {
  const n = seq;
  const sender = PEOPLE[n % PEOPLE.length]!;
  const other = PEOPLE[(n + 1) % PEOPLE.length]!;
  const chatId = `oc_benchchat${n % CHATS}`;
  const command = variant === 'command';
  const text = command ? `/反馈 @_user_1 接口文档什么时候能给？第 ${n} 次确认` : CHAT_TEXTS[n % CHAT_TEXTS.length]!;
  const mentions = command ? [{ key: '@_user_1', id: { open_id: other.openId, union_id: `on_${other.openId}` }, name: other.name, tenant_key: 'tk_bench' }] : [];
  const ms = String(now.getTime());
  return {
    schema: '2.0',
    header: {
      event_id: nextId('ev_'),
      event_type: 'im.message.receive_v1',
      create_time: ms,
      token: FEISHU.verificationToken,
      app_id: FEISHU.appId,
      tenant_key: 'tk_bench',
    },
    event: {
      sender: { sender_id: { open_id: sender.openId, union_id: `on_${sender.openId}` }, sender_type: 'user', tenant_key: 'tk_bench' },
      message: {
        message_id: nextId('om_'),
        create_time: ms,
        update_time: ms,
        chat_id: chatId,
        chat_type: 'group',
        message_type: 'text',
        content: JSON.stringify({ text }),
        mentions,
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Lark/7.30.5',
      },
    },
  };
}

/** Encrypts and signs an envelope exactly as Feishu delivers it with an Encrypt Key set. */
export function feishuRequest(envelope: unknown, now: Date, encryptKey: string = FEISHU.encryptKey): WireRequest {
  const rnd = randomBytes(24);
  const iv = rnd.subarray(0, 16);
  const c = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  const encrypt = Buffer.concat([iv, c.update(JSON.stringify(envelope), 'utf8'), c.final()]).toString('base64');
  const body = JSON.stringify({ encrypt });
  const ts = String(Math.floor(now.getTime() / 1000));
  const nonce = rnd.subarray(16).toString('hex');
  const signature = createHash('sha256').update(ts + nonce + encryptKey + body, 'utf8').digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
  };
}

/** A group robot message as DingTalk posts it (the bot's @ cut from the text, the space left). */
export function dingtalkMessage(now: Date, oapiBase: string): Record<string, unknown> {
  const n = ++seq;
  const from = PEOPLE[n % PEOPLE.length]!;
  const cid = `cidBench${n % CHATS}==`;
  const t = now.getTime();
  return {
    msgtype: 'text',
    text: { content: ` ${CHAT_TEXTS[n % CHAT_TEXTS.length]!}` },
    msgId: `msg${RUN}${n.toString(16).padStart(8, '0')}==`,
    createAt: t,
    conversationType: '2',
    conversationId: cid,
    conversationTitle: '【技术部】接口联调',
    senderId: `$:LWCP_v1:$${from.staffId}==`,
    senderNick: from.name,
    senderCorpId: 'dingcorpbench',
    senderStaffId: from.staffId,
    chatbotUserId: DINGTALK.bot,
    chatbotCorpId: 'dingcorpbench',
    robotCode: DINGTALK.clientId,
    isAdmin: false,
    isInAtList: true,
    atUsers: [{ dingtalkId: DINGTALK.bot }],
    sessionWebhook: `${oapiBase}/robot/sendBySession?session=${encodeURIComponent(`s-${cid}`)}`,
    sessionWebhookExpiredTime: t + 5_400_000,
  };
}

export function dingtalkRequest(message: unknown, now: Date, secret: string = DINGTALK.clientSecret): WireRequest {
  const ts = String(now.getTime());
  return {
    body: JSON.stringify(message),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      timestamp: ts,
      sign: createHmac('sha256', secret).update(`${ts}\n${secret}`, 'utf8').digest('base64'),
    },
  };
}
