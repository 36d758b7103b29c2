// Stream mode: DingTalk pushes robot messages and card clicks over a WebSocket the bot opens, so
// no public URL is needed. Frames are handled by `dingtalk-stream`'s DWClient; the connection's
// life is ours. dingtalk-stream 2.1.5 reconnects after a fixed 1 s from two paths at once (a
// storm against a refusing gateway), leaks heartbeat timers and sockets, and cannot cancel a
// queued reconnect (issues #13, #18 of open-dingtalk/dingtalk-stream-sdk-nodejs). So its
// autoReconnect and keepAlive are off, and a supervisor owns one client at a time: backoff with
// jitter, a ping/pong health check, the server's `disconnect` notice honoured, a clean stop.

import { DWClient, type DWClientDownStream, EventAck, TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { Logger } from 'pino';
import { acceptRobotMessage, answerCardCallback, type HandlerDeps, noticeResponse } from './dingtalk.handlers.ts';

/** The part of DWClient the handlers answer through (a recorder in tests). */
export interface StreamAcker {
  socketCallBackResponse(messageId: string, result: unknown): void;
}

/**
 * Robot message frame (topic /v1.0/im/bot/messages/get): stored durably, then acknowledged at
 * once — a late ack makes DingTalk push the message again about 60 s later. Not acknowledged if
 * the store failed, so DingTalk redelivers it.
 */
export function onRobotFrame(d: HandlerDeps, acker: StreamAcker, frame: DWClientDownStream): void {
  const messageId = frame.headers?.messageId;
  try {
    const r = acceptRobotMessage(d, typeof frame.data === 'string' ? frame.data : '');
    if (!r.ok) d.log.warn({ messageId }, 'stream robot frame is not a robot message; acknowledged and dropped');
  } catch (err) {
    d.log.error({ err, messageId }, 'could not store stream robot message; not acknowledged');
    return;
  }
  if (messageId) acker.socketCallBackResponse(messageId, EventAck.SUCCESS);
}

/**
 * Card callback frame (topic /v1.0/card/instances/callback): answered within DingTalk's 2 s with
 * the clicker's private notice; the SDK wraps it as data:"{\"response\":…}".
 */
export function onCardFrame(d: HandlerDeps, acker: StreamAcker, frame: DWClientDownStream): void {
  const messageId = frame.headers?.messageId;
  if (!messageId) return;
  let json: unknown;
  try {
    json = JSON.parse(frame.data);
  } catch {
    json = undefined;
  }
  let answer: ReturnType<typeof answerCardCallback>;
  try {
    answer = answerCardCallback(d, json);
  } catch (err) {
    d.log.error({ err, messageId }, 'card callback failed');
    answer = undefined;
  }
  if (!answer) {
    acker.socketCallBackResponse(messageId, noticeResponse('⚠️ 无法处理该操作，请稍后重试。'));
    return;
  }
  try {
    acker.socketCallBackResponse(messageId, answer.response);
  } finally {
    answer.release();
  }
}

/** Minimal view of the `ws` socket DWClient keeps privately. */
interface Socket {
  readyState: number;
  on(event: 'close' | 'pong', fn: () => void): void;
  ping(): void;
  terminate(): void;
  close(): void;
}
const OPEN = 1;

/** Opens the gateway: {endpoint, ticket} for one socket (the OpenAPI client's openGateway). */
export type OpenGateway = (subscriptions: Array<{ type: string; topic: string }>, ua: string) => Promise<{ endpoint: string; ticket: string }>;

/** DWClient that opens the gateway through our OpenAPI client (config's api base) and contains frame errors. */
class GatewayClient extends DWClient {
  constructor(
    private readonly openGateway: OpenGateway,
    creds: { clientId: string; clientSecret: string },
    private readonly hooks: { frame: () => void; disconnect: () => void; bad: (err: unknown) => void },
  ) {
    super({ clientId: creds.clientId, clientSecret: creds.clientSecret, ua: 'groupflow', keepAlive: false, debug: false });
    // The supervisor reconnects; the SDK's own reconnect storms (see the top of this file).
    this.config.autoReconnect = false;
  }

  /** A ticket opens one socket, so every connect asks the gateway again. */
  override async getEndpoint(): Promise<this> {
    const body = await this.openGateway(this.config.subscriptions, this.config.ua ?? 'groupflow');
    (this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override onDownStream(data: string): void {
    this.hooks.frame();
    try {
      super.onDownStream(data);
    } catch (err) {
      // A malformed frame or a throwing listener must not become an uncaught exception.
      this.hooks.bad(err);
    }
  }

  override onSystem(downstream: DWClientDownStream): void {
    super.onSystem(downstream);
    if (downstream.headers?.topic === 'disconnect') this.hooks.disconnect();
  }

  ws(): Socket | undefined {
    return (this as unknown as { socket?: Socket }).socket;
  }

  private abandoned = false;

  /** Gateway call, then the socket; a client abandoned meanwhile (timeout, stop) never stays open. */
  async open(): Promise<void> {
    await this.getEndpoint();
    if (this.abandoned) throw new Error('abandoned');
    await this._connect();
    if (this.abandoned) {
      this.ws()?.terminate();
      throw new Error('abandoned');
    }
  }

  /** Gives this client up for good: its socket is dropped and its listeners removed. */
  abandon(): void {
    this.abandoned = true;
    this.ws()?.terminate();
    this.removeAllListeners();
  }
}

export type StreamState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export interface SupervisorOptions {
  clientId: string;
  clientSecret: string;
  /** `POST {apiBase}/v1.0/gateway/connections/open`. */
  openGateway: OpenGateway;
  log: Logger;
  /** Registers topic listeners on each new client (before connect: subscriptions go at connect). */
  register: (client: DWClient & StreamAcker) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A connection up this long resets the backoff. */
  stableMs?: number;
  /** Ping period; no frame or pong for `silentMs` means the connection is dead. */
  healthIntervalMs?: number;
  silentMs?: number;
  connectTimeoutMs?: number;
  random?: () => number;
}

export class StreamSupervisor {
  private current: GatewayClient | undefined;
  private stateNow: StreamState = 'idle';
  private attempts = 0;
  private connects = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastSeen = 0;
  private connectedAt = 0;
  private graceful = false;
  private readonly listeners = new Set<(s: StreamState) => void>();
  private readonly o: Required<Omit<SupervisorOptions, 'random'>> & { random: () => number };

  constructor(opts: SupervisorOptions) {
    this.o = {
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      stableMs: 60_000,
      healthIntervalMs: 20_000,
      silentMs: 60_000,
      connectTimeoutMs: 20_000,
      random: Math.random,
      ...opts,
    };
  }

  get state(): StreamState {
    return this.stateNow;
  }

  /** Connection attempts after the first, since start (for /metrics). */
  get reconnects(): number {
    return Math.max(0, this.connects - 1);
  }

  private stopped(): boolean {
    return this.stateNow === 'stopped';
  }

  /** Calls `fn` on every state change (tests, metrics). */
  onState(fn: (s: StreamState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts connecting in the background; failures are retried, never thrown. */
  start(): void {
    if (this.stateNow !== 'idle') return;
    void this.attempt();
  }

  async stop(): Promise<void> {
    if (this.stopped()) return;
    this.set('stopped');
    clearTimeout(this.retryTimer);
    clearInterval(this.healthTimer);
    const client = this.current;
    this.current = undefined;
    if (!client) return;
    const socket = client.ws();
    if (socket && socket.readyState === OPEN) {
      // A polite close first (the server stops pushing to it), then the socket is dropped anyway.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        socket.on('close', () => {
          clearTimeout(t);
          resolve();
        });
        socket.close();
      });
    }
    client.abandon();
  }

  private set(s: StreamState, extra: Record<string, unknown> = {}): void {
    if (s === this.stateNow) return;
    const from = this.stateNow;
    this.stateNow = s;
    this.o.log.info({ from, to: s, ...extra }, 'dingtalk stream state');
    for (const fn of this.listeners) fn(s);
  }

  private async attempt(): Promise<void> {
    if (this.stopped()) return;
    this.connects++;
    this.set('connecting', { attempt: this.attempts + 1 });
    const client = new GatewayClient(
      this.o.openGateway,
      { clientId: this.o.clientId, clientSecret: this.o.clientSecret },
      {
        frame: () => (this.lastSeen = performance.now()),
        disconnect: () => this.onDisconnectNotice(client),
        bad: (err) => this.o.log.warn({ err }, 'dingtalk stream frame could not be handled'),
      },
    );
    client.registerAllEventListener(() => ({ status: EventAck.SUCCESS }));
    this.o.register(client);
    this.current = client;
    let timer: NodeJS.Timeout | undefined;
    const opening = client.open();
    opening.catch(() => undefined); // after a timeout nobody awaits it any more
    try {
      await Promise.race([
        opening,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('connect timed out')), this.o.connectTimeoutMs))),
      ]);
    } catch (err) {
      clearTimeout(timer);
      client.abandon();
      if (this.current === client) this.current = undefined;
      if (this.stopped()) return;
      this.o.log.warn({ err: (err as Error).message, attempt: this.attempts + 1 }, 'dingtalk stream connect failed');
      this.scheduleReconnect();
      return;
    }
    clearTimeout(timer);
    const socket = client.ws();
    if (this.stopped() || this.current !== client || !socket) {
      client.abandon();
      return;
    }
    this.connectedAt = this.lastSeen = performance.now();
    socket.on('pong', () => (this.lastSeen = performance.now()));
    socket.on('close', () => this.onClosed(client));
    this.healthTimer = setInterval(() => this.check(client), this.o.healthIntervalMs);
    this.healthTimer.unref();
    this.set('connected');
  }

  private check(client: GatewayClient): void {
    const socket = client.ws();
    if (this.current !== client || !socket) return;
    if (socket.readyState !== OPEN) {
      // Closed without us hearing it (e.g. between open and our listener): move on.
      socket.terminate();
      this.onClosed(client);
      return;
    }
    if (performance.now() - this.lastSeen > this.o.silentMs) {
      this.o.log.warn({ silentMs: Math.round(performance.now() - this.lastSeen) }, 'dingtalk stream connection silent; reconnecting');
      socket.terminate();
      return;
    }
    socket.ping();
  }

  /** The server announced it will close this connection (~10 s later): move on now. */
  private onDisconnectNotice(client: GatewayClient): void {
    if (this.current !== client) return;
    this.o.log.info('dingtalk stream server asked to reconnect');
    this.graceful = true;
    client.ws()?.terminate();
  }

  private onClosed(client: GatewayClient): void {
    if (this.current !== client) return;
    clearInterval(this.healthTimer);
    client.abandon();
    this.current = undefined;
    if (this.stopped()) return;
    const stable = performance.now() - this.connectedAt >= this.o.stableMs;
    if (stable) this.attempts = 0;
    this.o.log.info({ upMs: Math.round(performance.now() - this.connectedAt), graceful: this.graceful }, 'dingtalk stream connection closed');
    // A server-announced disconnect of a long-lived connection reconnects at once; a connection
    // that keeps dropping soon after opening backs off like a failure.
    this.scheduleReconnect(this.graceful && stable);
    this.graceful = false;
  }

  private scheduleReconnect(soon = false): void {
    const exp = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** this.attempts);
    // Jitter in [exp/2, exp): many bots restarting together do not hit the gateway at once.
    const delay = soon ? Math.round(this.o.random() * 500) : Math.round(exp / 2 + (this.o.random() * exp) / 2);
    this.attempts++;
    this.set('waiting', { retryInMs: delay });
    this.retryTimer = setTimeout(() => void this.attempt(), delay);
    this.retryTimer.unref();
  }
}

/** Registers the robot and card handlers on a client (before connect). */
export function registerHandlers(d: HandlerDeps): (client: DWClient & StreamAcker) => void {
  return (client) => {
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => onRobotFrame(d, client, frame));
    client.registerCallbackListener(TOPIC_CARD, (frame) => onCardFrame(d, client, frame));
  };
}
