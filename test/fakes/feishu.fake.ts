// A fake Feishu OpenAPI on 127.0.0.1: a real HTTP server that records what the bot asked for
// (the tenant token, message creates, replies, card PATCHes, bot info) and can fail on demand.
// Shapes follow the OpenAPI docs: token fields at the top level, everything else under `data`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface SentMessage {
  kind: 'create' | 'reply';
  messageId: string;
  /** chat_id for creates; the replied-to message id for replies. */
  target: string;
  receiveIdType?: string;
  msgType: string;
  /** The raw `content` field, which must be a JSON string. */
  content: string;
  uuid?: string;
  replyInThread?: boolean;
}

export interface Patch {
  messageId: string;
  content: string;
}

/** A scripted failure for the next matching call. */
export interface Failure {
  op: 'create' | 'reply' | 'patch' | 'token' | 'bot_info' | 'ws_endpoint' | 'chats' | 'ephemeral' | 'any';
  status: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export class FakeFeishu {
  readonly requests: Recorded[] = [];
  readonly tokenRequests: Array<{ app_id?: unknown; app_secret?: unknown }> = [];
  readonly sent: SentMessage[] = [];
  readonly patches: Patch[] = [];
  /** Size in bytes of every message create, reply and PATCH body, as received. */
  readonly bodySizes: Array<{ op: 'create' | 'reply' | 'patch'; msgType: string; bytes: number }> = [];
  /** Latest content of every interactive message, by message id. */
  readonly cards = new Map<string, string>();
  readonly failures: Failure[] = [];
  /** Cards sent with /open-apis/ephemeral/v1/send: only `openId` sees them in `chatId`. */
  readonly ephemerals: Array<{ chatId: string; openId: string; card: Record<string, unknown> }> = [];
  bot = { open_id: 'ou_bot', app_name: 'Groupflow' };
  /** Groups the bot is in, as `GET /open-apis/im/v1/chats` lists them. */
  chats: Array<{ chat_id: string; name: string }> = [];
  /**
   * The long-connection endpoint's answer. The WebSocket protocol behind it (protobuf frames) is
   * not faked, so by default it refuses, as Feishu does for bad credentials.
   */
  wsEndpoint: Record<string, unknown> = { code: 514, msg: 'fake: no long connection here', data: {} };
  /** Tokens this fake issued; a request with any other bearer token gets 99991663. */
  private readonly tokens = new Set<string>();
  private readonly byUuid = new Map<string, string>();
  private readonly hung = new Set<ServerResponse>();
  private seq = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  failNext(f: Failure): void {
    this.failures.push(f);
  }

  /** Makes every token issued so far invalid (as when a token was revoked). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Parsed card JSON of a message (its latest version). */
  card(messageId: string): CardJson {
    const c = this.cards.get(messageId);
    if (!c) throw new Error(`no card ${messageId}`);
    return JSON.parse(c) as CardJson;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const rec: Recorded = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    this.requests.push(rec);
    const op = this.opOf(rec);
    if (op === 'create' || op === 'reply' || op === 'patch') {
      const msgType = op === 'patch' ? 'interactive' : String(body.msg_type);
      const bytes = Buffer.byteLength(text, 'utf8');
      this.bodySizes.push({ op, msgType, bytes });
      // Feishu: a card or post request body ≤ 30 KB, a text one ≤ 150 KB.
      if (bytes > (msgType === 'text' ? 150 : 30) * 1024) return json(res, 400, { code: 230025, msg: 'The length of the message content reaches its limit.' });
    }
    const fi = this.failures.findIndex((f) => f.op === op || f.op === 'any');
    if (fi >= 0) {
      const f = this.failures.splice(fi, 1)[0]!;
      if (f.hang) {
        this.hung.add(res);
        return;
      }
      return json(res, f.status, f.body ?? { code: 1, msg: 'fail' }, f.headers);
    }
    if (op === 'ws_endpoint') return json(res, 200, this.wsEndpoint);
    if (op === 'token') {
      this.tokenRequests.push({ app_id: body.app_id, app_secret: body.app_secret });
      const t = `t-fake-${++this.seq}`;
      this.tokens.add(t);
      return json(res, 200, { code: 0, msg: 'ok', tenant_access_token: t, expire: 7200 });
    }
    const auth = String(req.headers.authorization ?? '');
    if (!this.tokens.has(auth.replace(/^Bearer /, ''))) {
      return json(res, 400, { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' });
    }
    switch (op) {
      case 'bot_info':
        return json(res, 200, { code: 0, msg: 'ok', bot: { ...this.bot, activate_status: 2 } });
      case 'chats':
        return json(res, 200, { code: 0, msg: 'success', data: { items: this.chats, has_more: false, page_token: '' } });
      case 'create':
      case 'reply':
        return json(res, 200, this.store(op, rec));
      case 'ephemeral': {
        // Feishu takes the card as an object here (not a JSON string), for one person of the chat.
        if (body.msg_type !== 'interactive' || typeof body.card !== 'object' || !body.chat_id || !body.open_id) {
          return json(res, 400, { code: 99992402, msg: 'field validation failed' });
        }
        this.ephemerals.push({ chatId: String(body.chat_id), openId: String(body.open_id), card: body.card as Record<string, unknown> });
        return json(res, 200, { code: 0, msg: 'ok', data: { message_id: `om_eph_${++this.seq}` } });
      }
      case 'patch': {
        const id = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(rec.path)![1]!;
        if (!this.cards.has(id)) return json(res, 400, { code: 230001, msg: 'message is not a card the app sent' });
        const content = body.content as string;
        this.patches.push({ messageId: id, content });
        this.cards.set(id, content);
        return json(res, 200, { code: 0, msg: 'success', data: {} });
      }
      default:
        return json(res, 404, { code: 404, msg: `fake has no ${rec.method} ${rec.path}` });
    }
  }

  private opOf(r: Recorded): Failure['op'] | 'other' {
    if (r.path === '/open-apis/auth/v3/tenant_access_token/internal') return 'token';
    if (r.path === '/open-apis/bot/v3/info') return 'bot_info';
    if (r.path === '/callback/ws/endpoint') return 'ws_endpoint';
    if (r.method === 'GET' && r.path === '/open-apis/im/v1/chats') return 'chats';
    if (r.method === 'POST' && r.path === '/open-apis/im/v1/messages') return 'create';
    if (r.method === 'POST' && r.path === '/open-apis/ephemeral/v1/send') return 'ephemeral';
    if (r.method === 'POST' && /\/reply$/.test(r.path)) return 'reply';
    if (r.method === 'PATCH') return 'patch';
    return 'other';
  }

  private store(kind: 'create' | 'reply', r: Recorded): Record<string, unknown> {
    const b = r.body;
    if (typeof b.content !== 'string') return { code: 230001, msg: 'content must be a JSON string' };
    try {
      JSON.parse(b.content);
    } catch {
      return { code: 230001, msg: 'content is not JSON' };
    }
    const uuid = typeof b.uuid === 'string' ? b.uuid : undefined;
    // Feishu: requests with the same uuid succeed at most once (per hour).
    const prior = uuid && this.byUuid.get(uuid);
    if (prior) return { code: 0, msg: 'success', data: { message_id: prior } };
    const messageId = `om_fake_${++this.seq}`;
    if (uuid) this.byUuid.set(uuid, messageId);
    const target = kind === 'create' ? String(b.receive_id) : r.path.split('/')[5]!;
    this.sent.push({
      kind,
      messageId,
      target,
      receiveIdType: r.query.receive_id_type,
      msgType: String(b.msg_type),
      content: b.content,
      uuid,
      replyInThread: typeof b.reply_in_thread === 'boolean' ? b.reply_in_thread : undefined,
    });
    if (b.msg_type === 'interactive') this.cards.set(messageId, b.content);
    return { code: 0, msg: 'success', data: { message_id: messageId, chat_id: kind === 'create' ? target : 'oc_x', msg_type: b.msg_type } };
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Just enough of card JSON 2.0 for assertions. */
export interface CardJson {
  schema: string;
  config: Record<string, unknown>;
  header: { title: { content: string }; template: string; text_tag_list?: Array<{ text: { content: string }; color: string }> };
  body: { elements: CardElementJson[] };
}

export interface CardElementJson {
  tag: string;
  name?: string;
  content?: string;
  text?: { content: string };
  elements?: CardElementJson[];
  columns?: Array<{ elements: CardElementJson[] }>;
  behaviors?: Array<{ type: string; value: Record<string, unknown> }>;
  form_action_type?: string;
  [k: string]: unknown;
}

/** Every element of a card body, depth first (inside forms, column sets and columns too). */
export function walkElements(els: CardElementJson[], out: CardElementJson[] = []): CardElementJson[] {
  for (const e of els) {
    out.push(e);
    walkElements(e.elements ?? [], out);
    for (const c of e.columns ?? []) walkElements(c.elements, out);
  }
  return out;
}

/** Every button of a card (in columns and forms), with the form it submits, if any. */
export function buttonsOf(card: CardJson): Array<{ label: string; value: Record<string, unknown>; name: string; form?: string }> {
  const out: Array<{ label: string; value: Record<string, unknown>; name: string; form?: string }> = [];
  const walk = (els: CardElementJson[], form?: string) => {
    for (const e of els) {
      if (e.tag === 'button') out.push({ label: e.text?.content ?? '', value: e.behaviors?.[0]?.value ?? {}, name: e.name ?? '', form });
      if (e.tag === 'form') walk(e.elements ?? [], e.name);
      for (const c of e.columns ?? []) walk(c.elements);
    }
  };
  walk(card.body.elements);
  return out;
}

/** All markdown text of a card. */
export function markdownOf(card: CardJson): string {
  return card.body.elements
    .filter((e) => e.tag === 'markdown')
    .map((e) => e.content ?? '')
    .join('\n');
}

/** Every markdown (or lark_md) content anywhere in a card JSON: the only card text Feishu interprets. */
export function markdowns(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) markdowns(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ((o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string') out.push(o.content);
    for (const x of Object.values(o)) markdowns(x, out);
  }
  return out;
}
