// Feishu's side of the webhook, written from the protocol with node:crypto only (never the
// project's own helpers): AES-256-CBC with key SHA-256(Encrypt Key), Base64(IV ‖ ciphertext);
// X-Lark-Signature = hex SHA-256(timestamp + nonce + encryptKey + raw body).
// Plus builders for the payloads Feishu sends, in both the webhook and the long-connection shape.

import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface WireSecrets {
  encryptKey: string;
  verificationToken: string;
  appId: string;
}

export function encryptBody(plain: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const c = createCipheriv('aes-256-cbc', key, iv);
  return JSON.stringify({ encrypt: Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64') });
}

export function sign(ts: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(ts + nonce + encryptKey + rawBody, 'utf8').digest('hex');
}

export interface WireRequest {
  payload: string;
  headers: Record<string, string>;
}

/** A request as Feishu sends it with an Encrypt Key: encrypted body, signature headers. */
export function signedRequest(envelope: unknown, s: WireSecrets, now: Date, opts: { nonce?: string; ts?: string } = {}): WireRequest {
  const payload = encryptBody(JSON.stringify(envelope), s.encryptKey);
  const ts = opts.ts ?? String(Math.floor(now.getTime() / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  return {
    payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': sign(ts, nonce, s.encryptKey, payload),
    },
  };
}

let seq = 0;
const nextId = (p: string) => `${p}${Date.now().toString(16)}${(++seq).toString(16).padStart(6, '0')}`;

export interface Person {
  openId: string;
  name: string;
}

export function header(eventType: string, s: WireSecrets, now: Date, eventId = nextId('ev_')) {
  return {
    event_id: eventId,
    event_type: eventType,
    create_time: String(now.getTime()),
    token: s.verificationToken,
    app_id: s.appId,
    tenant_key: 'tk_test',
  };
}

/**
 * `im.message.receive_v1` for a text message. In `text`, write `@{openId}` where a person is
 * mentioned: it becomes an `@_user_N` placeholder with a matching `mentions[]` entry, as Feishu
 * sends it.
 */
export function textMessage(
  s: WireSecrets,
  now: Date,
  o: { chatId: string; sender: Person; text: string; people: Person[]; messageId?: string; eventId?: string; parentId?: string; rootId?: string; chatType?: string },
) {
  const mentions: Array<{ key: string; id: { open_id: string; union_id: string; user_id?: string }; name: string; tenant_key: string }> = [];
  const text = o.text.replace(/@\{([^}]+)\}/g, (_m, openId: string) => {
    const p = o.people.find((x) => x.openId === openId);
    if (!p) throw new Error(`unknown person ${openId}`);
    const key = `@_user_${mentions.length + 1}`;
    mentions.push({ key, id: { open_id: p.openId, union_id: `on_${p.openId}` }, name: p.name, tenant_key: 'tk_test' });
    return key;
  });
  return messageEnvelope(s, now, { ...o, messageType: 'text', content: JSON.stringify({ text }), mentions });
}

export function messageEnvelope(
  s: WireSecrets,
  now: Date,
  o: {
    chatId: string;
    sender: Person;
    messageType: string;
    content: string;
    mentions?: unknown[];
    messageId?: string;
    eventId?: string;
    parentId?: string;
    rootId?: string;
    chatType?: string;
  },
) {
  return {
    schema: '2.0',
    header: header('im.message.receive_v1', s, now, o.eventId),
    event: {
      sender: { sender_id: { open_id: o.sender.openId, union_id: `on_${o.sender.openId}` }, sender_type: 'user', tenant_key: 'tk_test' },
      message: {
        message_id: o.messageId ?? nextId('om_'),
        ...(o.rootId ? { root_id: o.rootId } : {}),
        ...(o.parentId ? { parent_id: o.parentId } : {}),
        create_time: String(now.getTime()),
        update_time: String(now.getTime()),
        chat_id: o.chatId,
        chat_type: o.chatType ?? 'group',
        message_type: o.messageType,
        content: o.content,
        mentions: o.mentions ?? [],
        user_agent: 'Mozilla/5.0 Lark/7.30',
      },
    },
  };
}

/** `card.action.trigger` for a click on a button (with the form values of its form, if any). */
export function cardClick(
  s: WireSecrets,
  now: Date,
  o: { operator: Person; chatId: string; messageId: string; value: Record<string, unknown>; name?: string; form?: Record<string, string> },
) {
  return {
    schema: '2.0',
    header: header('card.action.trigger', s, now),
    event: {
      operator: { tenant_key: 'tk_test', open_id: o.operator.openId, union_id: `on_${o.operator.openId}` },
      token: `c-${randomBytes(8).toString('hex')}`,
      action: {
        value: o.value,
        tag: 'button',
        ...(o.name ? { name: o.name } : {}),
        ...(o.form ? { form_value: o.form } : {}),
        timezone: 'Asia/Shanghai',
      },
      host: 'im_message',
      delivery_type: 'url_preview',
      context: { open_message_id: o.messageId, open_chat_id: o.chatId },
    },
  };
}

/** `application.bot.menu_v6`: `operator` clicked the bot menu item whose event key is `key`. */
export function botMenu(s: WireSecrets, now: Date, o: { operator: Person; key: string; eventId?: string }) {
  return {
    schema: '2.0',
    header: header('application.bot.menu_v6', s, now, o.eventId),
    event: {
      operator: { operator_name: o.operator.name, operator_id: { open_id: o.operator.openId, union_id: `on_${o.operator.openId}`, user_id: `u_${o.operator.openId}` } },
      event_key: o.key,
      timestamp: String(now.getTime()),
    },
  };
}

export function botAdded(s: WireSecrets, now: Date, o: { chatId: string; operator: Person }) {
  return {
    schema: '2.0',
    header: header('im.chat.member.bot.added_v1', s, now),
    event: {
      chat_id: o.chatId,
      operator_id: { open_id: o.operator.openId, union_id: `on_${o.operator.openId}` },
      external: false,
      operator_tenant_key: 'tk_test',
      name: '【研发】接口联调 1123',
      i18n_names: { zh_cn: '【研发】接口联调 1123' },
    },
  };
}

/**
 * What the SDK's WSClient hands the EventDispatcher for a frame: the plaintext v2 envelope (the
 * dispatcher then flattens it to {schema, ...header, ...event} before calling a handler).
 */
export function longConnFrame(envelope: { schema: string; header: Record<string, unknown>; event: Record<string, unknown> }) {
  return JSON.parse(JSON.stringify(envelope)) as Record<string, unknown>;
}
