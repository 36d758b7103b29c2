// The sandbox's HTTP surface: the page under /sandbox and its JSON API under /sandbox/api.
//   GET  /                      → redirect to /sandbox
//   GET  /sandbox               the page (page.js, richtext.js, page.css beside it); ?chat=&as=&embed=1 for a frame
//   GET  /sandbox/split         ?chats=<id>,<id>: two groups side by side (linked groups)
//   GET  /sandbox/api/state     users, groups, the bot, the current rev
//   POST /sandbox/api/users     {name}                       → 201 user
//   POST /sandbox/api/chats     {name, look?}                → 201 group (look: feishu | dingtalk)
//   GET  /sandbox/api/messages  ?chatId=&since=<rev>         → messages changed after rev
//   POST /sandbox/api/messages  {chatId,userId,text,replyTo?} → 201 the stored user message
//   POST /sandbox/api/actions   {chatId,userId,messageId,itemId,action,version,for,form} → {ok,toast}
//   GET  /sandbox/api/events    Server-Sent Events: change hints (the page falls back to polling)

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { isLoopbackAddress, isLoopbackHost, REMOTE_REFUSED, wasForwarded } from './sandbox.guard.ts';
import type { LiveHub } from './sandbox.live.ts';
import { type Asset, PAGE_HEADERS, splitPage } from './sandbox.page.ts';
import {
  CardActionSchema,
  describeIssues,
  MessagesQuerySchema,
  NewChatSchema,
  NewUserSchema,
  PostMessageSchema,
} from './sandbox.schemas.ts';
import type { Result, SandboxService } from './sandbox.service.ts';

export interface RouteDeps {
  service: SandboxService;
  live: LiveHub;
  assets: Map<string, Asset>;
  allowRemote: boolean;
  /** SSE keep-alive comment interval. */
  heartbeatMs?: number;
}

export function sandboxRoutes(d: RouteDeps) {
  return (app: FastifyInstance): void => {
    if (!d.allowRemote) {
      app.addHook('onRequest', async (req, res) => {
        if (!isLoopbackAddress(req.socket.remoteAddress) || !isLoopbackHost(req.headers.host) || wasForwarded(req.headers)) {
          req.log.warn({ remote: req.socket.remoteAddress, host: req.headers.host, url: req.url }, 'sandbox refused a non-loopback request');
          return res.status(403).send(REMOTE_REFUSED);
        }
      });
    }
    app.setErrorHandler(errorHandler);

    app.get('/', (_req, res) => res.redirect('/sandbox'));
    app.get('/sandbox/', (_req, res) => res.redirect('/sandbox'));
    app.get('/sandbox', (_req, res) => asset(res, d.assets.get('page.html')!));
    for (const name of ['page.js', 'richtext.js', 'page.css']) {
      app.get(`/sandbox/${name}`, (_req, res) => asset(res, d.assets.get(name)!));
    }

    // /sandbox/split?chats=<id>,<id>: linked groups side by side (each an embedded page).
    app.get('/sandbox/split', (req, res) => {
      const wanted = String((req.query as Record<string, unknown>).chats ?? '').split(',').filter(Boolean);
      const all = d.service.state().chats;
      const chats = wanted.length ? wanted.map((id) => all.find((c) => c.id === id)) : all.slice(0, 2);
      if (chats.length < 2 || chats.some((c) => !c)) {
        return res.status(400).type('text/plain; charset=utf-8').send('请给出两个已有的群：/sandbox/split?chats=<群1>,<群2> / give two existing chats');
      }
      return asset(res, { type: 'text/html; charset=utf-8', body: splitPage(chats.slice(0, 2) as typeof all) });
    });

    app.get('/sandbox/api/state', async () => d.service.state());
    app.post('/sandbox/api/users', (req, res) =>
      withBody(NewUserSchema, req, res, (b) => send(res, d.service.addUser(b.name), 201)),
    );
    app.post('/sandbox/api/chats', (req, res) =>
      withBody(NewChatSchema, req, res, (b) => send(res, d.service.addChat(b.name, b.look), 201)),
    );
    app.get('/sandbox/api/messages', (req, res) => {
      const q = MessagesQuerySchema.safeParse(req.query);
      if (!q.success) return badRequest(res, q.error);
      return send(res, d.service.messages(q.data.chatId, q.data.since));
    });
    app.post('/sandbox/api/messages', (req, res) =>
      withBody(PostMessageSchema, req, res, (b) => send(res, d.service.postMessage(b), 201)),
    );
    app.post('/sandbox/api/actions', (req, res) =>
      withBody(CardActionSchema, req, res, (b) => send(res, d.service.cardAction(b))),
    );
    registerEvents(app, d);
  };
}

/** SSE: one stream per open page; closed before the server closes so shutdown never hangs. */
function registerEvents(app: FastifyInstance, d: RouteDeps): void {
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', (done) => {
    for (const s of streams) s.end();
    done();
  });
  app.get('/sandbox/api/events', (_req, res) => {
    res.hijack();
    const raw = res.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    streams.add(raw);
    const off = d.live.subscribe((e) => raw.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    const ping = setInterval(() => raw.write(': ping\n\n'), d.heartbeatMs ?? 20_000);
    ping.unref();
    const cleanup = () => {
      off();
      clearInterval(ping);
      streams.delete(raw);
    };
    // The response's 'close' fires when the page goes away or the server ends the stream.
    raw.on('close', cleanup);
    raw.on('error', cleanup);
  });
}

function asset(res: FastifyReply, a: Asset): FastifyReply {
  return res.header('content-type', a.type).headers(PAGE_HEADERS).send(a.body);
}

function withBody<S extends z.ZodType>(
  schema: S,
  req: FastifyRequest,
  res: FastifyReply,
  then: (body: z.output<S>) => FastifyReply,
): FastifyReply {
  const r = schema.safeParse(req.body);
  return r.success ? then(r.data) : badRequest(res, r.error);
}

function badRequest(res: FastifyReply, err: z.ZodError): FastifyReply {
  return res.status(400).send({ error: 'bad_request', message: `请求无效 / invalid request: ${describeIssues(err)}` });
}

function send<T>(res: FastifyReply, r: Result<T>, status = 200): FastifyReply {
  if (!r.ok) return res.status(r.status).send({ error: r.status === 409 ? 'conflict' : r.status === 404 ? 'not_found' : 'bad_request', message: r.message });
  return res.status(status).send(r.value);
}

const PARSER_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是合法的 JSON / body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: '请求体为空 / empty JSON body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '只接受 application/json / only application/json is accepted',
  FST_ERR_CTP_BODY_TOO_LARGE: '请求体过大 / body too large',
};

/** Bad requests get a bilingual message; anything else is logged and hidden, as in app.ts. */
function errorHandler(err: { statusCode?: number; code?: string; message: string }, req: FastifyRequest, res: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  if (status >= 500) {
    req.log.error({ err, url: req.url }, 'sandbox request failed');
    return res.status(status).send({ error: 'internal_error', message: '内部错误 / internal error' });
  }
  const known = err.code ? PARSER_ERRORS[err.code] : undefined;
  return res.status(status).send({ error: err.code ?? 'bad_request', message: known ?? `请求无效 / bad request: ${err.message}` });
}
