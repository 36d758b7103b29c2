// A fake DingTalk: the OpenAPI (api.dingtalk.com), session webhooks (oapi.dingtalk.com) and the
// Stream gateway, on one real node:http server bound to 127.0.0.1:0. It records what the bot
// sent and fails on demand (throttling, 5xx, expired sessions, revoked tokens, refused gateway).

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptWebSocket, type FakeWsConnection } from './dingtalk-ws.fake.ts';

export type FakeRoute = 'token' | 'groupSend' | 'session' | 'cardCreate' | 'cardUpdate' | 'register' | 'gateway';

export interface Recorded<T = Record<string, unknown>> {
  token?: string;
  body: T;
  at: number;
}

export interface GroupSendBody {
  robotCode: string;
  openConversationId: string;
  msgKey: string;
  msgParam: string;
}

export interface CardCreateBody {
  cardTemplateId: string;
  outTrackId: string;
  cardData: { cardParamMap: Record<string, string> };
  callbackType: string;
  callbackRouteKey?: string;
  openSpaceId: string;
  imGroupOpenSpaceModel: Record<string, unknown>;
  imGroupOpenDeliverModel: { robotCode: string; atUserIds?: Record<string, string> };
  cardAtUserIds?: string[];
  userIdType: number;
}

export interface CardUpdateBody {
  outTrackId: string;
  cardData: { cardParamMap: Record<string, string> };
  cardUpdateOptions?: Record<string, boolean>;
}

interface Failure {
  status: number;
  body: unknown;
  times: number;
}

export class FakeDingtalk {
  readonly tokenRequests: Array<{ appKey: string; appSecret: string }> = [];
  readonly groupSends: Array<Recorded<GroupSendBody>> = [];
  readonly sessionSends: Array<{ session: string; body: { msgtype: string; text?: { content: string }; at?: { atUserIds?: string[] } }; token?: string }> = [];
  readonly cardCreates: Array<Recorded<CardCreateBody>> = [];
  readonly cardUpdates: Array<Recorded<CardUpdateBody>> = [];
  readonly registers: Array<Recorded> = [];
  readonly gatewayOpens: Array<Record<string, unknown>> = [];
  readonly gatewayOpenTimes: number[] = [];
  /** Every failure the fake answered, by route. */
  readonly failed: Array<{ route: FakeRoute; status: number }> = [];
  readonly connections: FakeWsConnection[] = [];
  expireIn = 7200;
  /** Delay before answering a token request (to let concurrent callers pile up). */
  tokenDelayMs = 0;
  /** When set, the gateway answers this status instead of a ticket. */
  refuseGateway: number | undefined;
  /** When true, the WebSocket handshake is dropped (the SDK's reconnect-storm trigger). */
  refuseUpgrade = false;

  private server!: Server;
  private failures = new Map<FakeRoute, Failure[]>();
  private validTokens = new Set<string>();
  private tokenSeq = 0;
  private expiredSessions = new Set<string>();

  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket) => {
      if (this.refuseUpgrade) {
        socket.destroy();
        return;
      }
      const conn = acceptWebSocket(req, socket);
      if (!conn) return;
      this.connections.push(conn);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next `times` requests to `route` answer `status` with `body`. */
  failNext(route: FakeRoute, status: number, body: unknown, times = 1): void {
    this.failures.set(route, [...(this.failures.get(route) ?? []), { status, body, times }]);
  }

  /** Every token issued so far stops working (DingTalk answers 400 InvalidAuthentication). */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  /** The session webhook with this `session` answers errcode 300001 from now on. */
  expireSession(session: string): void {
    this.expiredSessions.add(session);
  }

  sessionUrl(session: string): string {
    return `${this.url}/robot/sendBySession?session=${encodeURIComponent(session)}`;
  }

  /** Resolves with the n-th (1-based) gateway WebSocket connection once it exists. */
  async connection(n: number, timeoutMs = 5000): Promise<FakeWsConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < n) {
      if (Date.now() > deadline) throw new Error(`no gateway connection #${n} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.connections[n - 1]!;
  }

  private takeFailure(route: FakeRoute): Failure | undefined {
    const list = this.failures.get(route);
    const f = list?.[0];
    if (!f) return undefined;
    f.times--;
    if (f.times <= 0) list!.shift();
    this.failed.push({ route, status: f.status });
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(res, 400, { code: 'InvalidParameter', message: 'body is not JSON' });
    }
    const url = new URL(req.url ?? '/', this.url);
    const token = req.headers['x-acs-dingtalk-access-token'] as string | undefined;
    const route = routeOf(req.method ?? '', url.pathname);
    if (!route) return send(res, 404, { code: 'NotFound', message: `${req.method} ${url.pathname}` });
    const f = this.takeFailure(route);
    if (f) return send(res, f.status, f.body);
    const at = Date.now();

    switch (route) {
      case 'token': {
        this.tokenRequests.push({ appKey: String(body.appKey), appSecret: String(body.appSecret) });
        if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
        if (body.appSecret !== 'test-app-secret') return send(res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
        const t = `tok-${++this.tokenSeq}`;
        this.validTokens.add(t);
        return send(res, 200, { accessToken: t, expireIn: this.expireIn });
      }
      case 'session': {
        const session = url.searchParams.get('session') ?? '';
        if (this.expiredSessions.has(session)) return send(res, 200, { errcode: 300001, errmsg: 'session 不存在' });
        // Custom-robot bodies above 20,000 bytes are refused.
        if (Buffer.byteLength(text, 'utf8') > 20_000) return send(res, 200, { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' });
        this.sessionSends.push({ session, body: body as never, token });
        return send(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      case 'gateway': {
        this.gatewayOpens.push(body);
        this.gatewayOpenTimes.push(performance.now());
        if (this.refuseGateway) return send(res, this.refuseGateway, { code: 'gateway.refused', message: 'refused' });
        return send(res, 200, { endpoint: `${this.url.replace('http', 'ws')}/connect`, ticket: `ticket-${this.gatewayOpens.length}` });
      }
      default:
        break;
    }
    // Every other route needs a valid token.
    if (!token || !this.validTokens.has(token)) {
      return send(res, 400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'req-auth' });
    }
    switch (route) {
      case 'groupSend': {
        const b = body as unknown as GroupSendBody;
        if (typeof b.msgParam !== 'string') return send(res, 400, { code: 'invalidParameter.msgParam.invalid', message: 'msgParam must be a JSON string' });
        if (Buffer.byteLength(b.msgParam, 'utf8') > 15_000) return send(res, 400, { code: 'invalidParameter.msgParam.invalid', message: 'msgParam exceeds 15000 bytes' });
        this.groupSends.push({ token, body: b, at });
        return send(res, 200, { processQueryKey: `pqk-${this.groupSends.length}` });
      }
      case 'cardCreate': {
        const b = body as unknown as CardCreateBody;
        if (this.cardCreates.some((c) => c.body.outTrackId === b.outTrackId)) {
          return send(res, 400, { code: 'param.outTrackIdExisted', message: 'outTrackId already exists' });
        }
        this.cardCreates.push({ token, body: b, at });
        return send(res, 200, {
          success: true,
          result: { outTrackId: b.outTrackId, deliverResults: [{ spaceType: 'IM_GROUP', spaceId: b.openSpaceId, success: true, carrierId: 'c1' }] },
        });
      }
      case 'cardUpdate': {
        const b = body as unknown as CardUpdateBody;
        if (!this.cardCreates.some((c) => c.body.outTrackId === b.outTrackId)) {
          return send(res, 400, { code: 'param.outTrackIdNotExist', message: 'card instance not found' });
        }
        this.cardUpdates.push({ token, body: b, at });
        return send(res, 200, { success: true, result: true });
      }
      case 'register': {
        this.registers.push({ token, body, at });
        return send(res, 200, { success: true, result: {} });
      }
    }
  }

  /** The latest card params of an outTrackId (create, then every update applied by key). */
  cardState(outTrackId: string): Record<string, string> | undefined {
    const created = this.cardCreates.find((c) => c.body.outTrackId === outTrackId);
    if (!created) return undefined;
    let state = { ...created.body.cardData.cardParamMap };
    for (const u of this.cardUpdates) if (u.body.outTrackId === outTrackId) state = { ...state, ...u.body.cardData.cardParamMap };
    return state;
  }
}

function routeOf(method: string, path: string): FakeRoute | undefined {
  if (method === 'POST' && path === '/v1.0/oauth2/accessToken') return 'token';
  if (method === 'POST' && path === '/v1.0/robot/groupMessages/send') return 'groupSend';
  if (method === 'POST' && path === '/robot/sendBySession') return 'session';
  if (method === 'POST' && path === '/v1.0/card/instances/createAndDeliver') return 'cardCreate';
  if (method === 'PUT' && path === '/v1.0/card/instances') return 'cardUpdate';
  if (method === 'POST' && path === '/v1.0/card/callbacks/register') return 'register';
  if (method === 'POST' && path === '/v1.0/gateway/connections/open') return 'gateway';
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'x-acs-request-id': 'fake-req' });
  res.end(text);
}
