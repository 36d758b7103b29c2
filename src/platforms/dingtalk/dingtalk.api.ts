// The raw DingTalk OpenAPI client: access token, robot group send, session webhook, card
// instances. Every failure is a PlatformError carrying the vendor code and whether to retry.
// Tokens, secrets and session webhook URLs are never logged.

import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import { PlatformError } from '../platform.ts';
import type { ApiErrorBody, OapiReply } from './dingtalk.types.ts';

export interface ApiOptions {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  clock: Clock;
  log: Logger;
  timeoutMs?: number;
  /** Refresh this long before the token expires (default 5 min). */
  refreshMarginMs?: number;
}

/** Codes DingTalk (and community adapters) use for throttling; all worth a later retry.
 *  https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server */
const THROTTLE_CODES = new Set([
  'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
  'Forbidden.AccessDenied.QpsLimitForApi',
  'Forbidden.AccessDenied.IpQpsLimit',
  'send.too.fast',
  'send.byToken.tooFast',
  'too.many.group',
  'too.many.people',
  'Throttling',
  'Throttling.Api',
  'Throttling.User',
]);
const AUTH_CODES = new Set(['InvalidAuthentication', 'Unauthorized', 'InvalidAccessToken']);
/** Session webhook errcodes: 300001 "session 不存在" (expired); 130101 custom-robot "send too fast". */
export const SESSION_EXPIRED = 300001;
const SESSION_THROTTLED = new Set([130101, 90018, 90002]);

export interface CardInstance {
  cardTemplateId: string;
  outTrackId: string;
  cardData: { cardParamMap: Record<string, string> };
  callbackType: 'STREAM' | 'HTTP';
  callbackRouteKey?: string;
  openSpaceId: string;
  imGroupOpenSpaceModel: { supportForward: boolean; lastMessageI18n?: Record<string, string>; notification?: { alertContent?: string; notificationOff?: boolean } };
  imGroupOpenDeliverModel: { robotCode: string; atUserIds?: Record<string, string>; recipients?: string[] };
  cardAtUserIds?: string[];
  userIdType: 1 | 2;
}

export class DingtalkApi {
  private token: { value: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly timeoutMs: number;
  private readonly margin: number;

  constructor(private readonly o: ApiOptions) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.margin = o.refreshMarginMs ?? 5 * 60_000;
  }

  /**
   * A valid access token: cached, refreshed before expiry, one fetch shared by concurrent callers.
   * https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
   */
  accessToken(): Promise<string> {
    const now = this.o.clock.now().getTime();
    if (this.token && now < this.token.expiresAt - this.margin) return Promise.resolve(this.token.value);
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets the cached token (after DingTalk rejected it). */
  invalidateToken(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const res = await this.http('POST', `${this.o.apiBase}/v1.0/oauth2/accessToken`, {
      appKey: this.o.clientId,
      appSecret: this.o.clientSecret,
    });
    const body = res.json as { accessToken?: string; expireIn?: number } & ApiErrorBody;
    if (!res.ok || typeof body.accessToken !== 'string') throw classify(res.status, body, res.retryAfter, 'token');
    const ttl = (typeof body.expireIn === 'number' && body.expireIn > 0 ? body.expireIn : 7200) * 1000;
    this.token = { value: body.accessToken, expiresAt: this.o.clock.now().getTime() + ttl };
    this.o.log.debug({ expiresInS: ttl / 1000 }, 'dingtalk access token refreshed');
    return body.accessToken;
  }

  /**
   * Robot group message. `msgParam` is sent as a JSON string (≤ 15,000 bytes); no @ possible.
   * https://open.dingtalk.com/document/development/the-robot-sends-a-group-message
   */
  async groupSend(p: { robotCode: string; openConversationId: string; msgKey: string; msgParam: Record<string, string> }): Promise<string> {
    const body = await this.call('POST', '/v1.0/robot/groupMessages/send', {
      robotCode: p.robotCode,
      openConversationId: p.openConversationId,
      msgKey: p.msgKey,
      msgParam: JSON.stringify(p.msgParam),
    });
    const key = (body as { processQueryKey?: unknown }).processQueryKey;
    return typeof key === 'string' ? key : '';
  }

  /**
   * Creates and delivers a card instance in one call.
   * https://open.dingtalk.com/document/development/create-and-deliver-cards
   */
  async createAndDeliver(card: CardInstance): Promise<string> {
    let raw: unknown;
    try {
      raw = await this.call('POST', '/v1.0/card/instances/createAndDeliver', card);
    } catch (err) {
      // Our outTrackId is only ever reused by a retry of the same outbox row: "already exists"
      // means the first attempt created the card and its answer was lost.
      if (err instanceof PlatformError && err.code === 'param.outTrackIdExisted') return card.outTrackId;
      throw err;
    }
    const body = raw as {
      success?: boolean;
      result?: { outTrackId?: string; deliverResults?: Array<{ success?: boolean; errorMsg?: string; spaceId?: string }> };
    };
    const failed = body.result?.deliverResults?.find((r) => r.success === false);
    if (body.success === false || failed) {
      throw new PlatformError('dingtalk', 'card.deliver.failed', failed?.errorMsg ?? 'createAndDeliver returned success=false', false);
    }
    return body.result?.outTrackId ?? card.outTrackId;
  }

  /**
   * Updates a delivered card in place (never while answering that card's callback).
   * https://open.dingtalk.com/document/development/interactive-card-update-interface
   */
  async updateCard(p: { outTrackId: string; cardParamMap: Record<string, string> }): Promise<void> {
    const body = (await this.call('PUT', '/v1.0/card/instances', {
      outTrackId: p.outTrackId,
      cardData: { cardParamMap: p.cardParamMap },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
      userIdType: 1,
    })) as { success?: boolean };
    if (body.success === false) throw new PlatformError('dingtalk', 'card.update.failed', 'update returned success=false', false);
  }

  /**
   * Registers where HTTP card callbacks for `callbackRouteKey` go, signed with `apiSecret`.
   * https://open.dingtalk.com/document/development/event-callback-card
   */
  async registerCardCallback(p: { callbackRouteKey: string; callbackUrl: string; apiSecret: string }): Promise<void> {
    await this.call('POST', '/v1.0/card/callbacks/register', { ...p, forceUpdate: true });
  }

  /**
   * Replies through a message's session webhook (no token needed; valid ~90 min).
   * https://open.dingtalk.com/document/dingstart/robot-reply-and-send-messages
   */
  async sessionSend(url: string, body: unknown): Promise<void> {
    const res = await this.http('POST', url, body);
    const r = res.json as OapiReply & ApiErrorBody;
    if (res.ok && (r.errcode === undefined || r.errcode === 0)) return;
    if (!res.ok) throw classify(res.status, r, res.retryAfter, 'session');
    const code = r.errcode ?? -1;
    if (code === SESSION_EXPIRED) throw new PlatformError('dingtalk', String(code), r.errmsg ?? 'session expired', false);
    throw new PlatformError('dingtalk', String(code), r.errmsg ?? 'session webhook failed', SESSION_THROTTLED.has(code), SESSION_THROTTLED.has(code) ? 60_000 : undefined);
  }

  /**
   * Asks the Stream gateway for a connection ticket with the app's own credentials (no token).
   * A ticket opens one socket and lapses after 90 s unused.
   * https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description
   */
  async openGateway(subscriptions: Array<{ type: string; topic: string }>, ua: string): Promise<{ endpoint: string; ticket: string }> {
    const res = await this.http('POST', `${this.o.apiBase}/v1.0/gateway/connections/open`, {
      clientId: this.o.clientId,
      clientSecret: this.o.clientSecret,
      ua,
      subscriptions,
    });
    const body = res.json as { endpoint?: unknown; ticket?: unknown } & ApiErrorBody;
    if (!res.ok || typeof body.endpoint !== 'string' || typeof body.ticket !== 'string') throw classify(res.status, body, res.retryAfter, 'gateway');
    return { endpoint: body.endpoint, ticket: body.ticket };
  }

  /** An authenticated OpenAPI call; a rejected token is refreshed once and the call repeated. */
  private async call(method: 'POST' | 'PUT', path: string, body: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const res = await this.http(method, `${this.o.apiBase}${path}`, body, { 'x-acs-dingtalk-access-token': token });
      if (res.ok) return res.json;
      const err = res.json as ApiErrorBody;
      if (attempt === 0 && (res.status === 401 || AUTH_CODES.has(err.code ?? ''))) {
        this.o.log.warn({ path, code: err.code }, 'dingtalk rejected the access token; refreshing');
        this.invalidateToken();
        continue;
      }
      throw classify(res.status, err, res.retryAfter, path);
    }
  }

  private async http(
    method: 'POST' | 'PUT',
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ ok: boolean; status: number; json: unknown; retryAfter: string | null }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      throw new PlatformError('dingtalk', timeout ? 'timeout' : 'network', timeout ? 'request timed out' : (err as Error).message, true);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    if (typeof json !== 'object' || json === null) json = {};
    return { ok: res.ok, status: res.status, json, retryAfter: res.headers.get('retry-after') };
  }
}

/** Maps a failed response to a PlatformError: throttling and server errors are retryable. */
export function classify(status: number, body: ApiErrorBody, retryAfter: string | null, what: string): PlatformError {
  const code = body.code ?? (body.punish ? 'punish' : `http_${status}`);
  const message = `${body.message ?? 'request failed'}${body.requestid ? ` (requestid ${body.requestid})` : ''} [${what}]`;
  const after = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  // An IP ban answers with a punish page, not an error code, and lasts 5 minutes.
  if (body.punish === 'deny' || body.status === 1111) return new PlatformError('dingtalk', 'punish', message, true, 5 * 60_000);
  if (THROTTLE_CODES.has(code)) return new PlatformError('dingtalk', code, message, true, after ?? 1000);
  if (status === 429 || status >= 500) return new PlatformError('dingtalk', code, message, true, after);
  return new PlatformError('dingtalk', code, message, false);
}
