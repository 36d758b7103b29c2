// The public HTTP interface DingTalk calls (configured by admins in the developer console):
//   POST /dingtalk/events  robot messages (receive mode "HTTP")
//   POST /dingtalk/card    card callbacks (registered under CARD_ROUTE_KEY)
// Authentication failures answer 401/403 without details; a body that is not the expected
// payload answers 400; nothing is stored before both checks pass.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerCardCallback, type HandlerDeps, submitRobotMessage } from './dingtalk.handlers.ts';
import { type VerifyResult, verifyCardSign, verifyRobotSign } from './dingtalk.verify.ts';

export interface RouteDeps extends HandlerDeps {
  /** AppSecret: signs robot callbacks and (as the registered apiSecret) card callbacks. */
  secret: string;
}

export function dingtalkRoutes(d: RouteDeps): (app: FastifyInstance) => void {
  return (app) => {
    // Scoped to these routes: the body is kept as text, verified first, then parsed by us, so an
    // unauthenticated caller learns nothing from parse errors.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.post('/dingtalk/events', async (req, reply) => {
      const now = d.core.clock.now().getTime();
      const v = verifyRobotSign({ timestamp: header(req, 'timestamp'), sign: header(req, 'sign') }, d.secret, now);
      if (!v.ok) return refuse(req, reply, v);
      req.authenticated = true; // the abuse guard never limits a signed request
      const accepted = await submitRobotMessage(d, bodyText(req));
      if (!accepted.ok) return reply.code(400).send({ error: 'bad_request' });
      // Acknowledged after the durable insert; the work runs after this response.
      return reply.code(200).send({ msgtype: 'empty' });
    });

    app.post('/dingtalk/card', async (req, reply) => {
      const now = d.core.clock.now().getTime();
      const v = verifyCardSign(
        { timestamp: header(req, 'x-ddpaas-signature-timestamp'), sign: header(req, 'x-ddpaas-signature') },
        d.secret,
        now,
      );
      if (!v.ok) return refuse(req, reply, v);
      req.authenticated = true;
      let json: unknown;
      try {
        json = JSON.parse(bodyText(req));
      } catch {
        return reply.code(400).send({ error: 'bad_request' });
      }
      const answer = answerCardCallback(d, json);
      if (!answer) return reply.code(400).send({ error: 'bad_request' });
      // DingTalk applies this answer (within 2 s); card updates wait until it has gone out.
      reply.raw.once('finish', answer.release);
      reply.raw.once('close', answer.release);
      return reply.code(200).send(answer.response);
    });
  };
}

function refuse(req: FastifyRequest, reply: FastifyReply, v: Exclude<VerifyResult, { ok: true }>): FastifyReply {
  req.log.warn({ url: req.url, reason: v.reason }, 'dingtalk callback refused');
  // Stale timestamps are 403 (authentic maybe, but not now); missing or wrong signatures are 401.
  return reply.code(v.reason === 'stale' ? 403 : 401).send({ error: 'unauthorized' });
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function bodyText(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : '';
}
