// The webhook surface (public interface: admins paste these URLs into the developer console).
//   POST /feishu/events   event subscription Request URL (事件配置)
//   POST /feishu/card     card callback Request URL (回调配置)
// Both answer URL verification, and both accept either kind of payload, since admins sometimes
// give the two settings the same URL.
// https://open.larkoffice.com/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server
// https://open.feishu.cn/document/event-subscription-guide/callback-subscription/receive-and-handle-callbacks

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import { FeishuReceiver } from './feishu.receiver.ts';
import { CARD_CALLBACK } from './feishu.types.ts';
import { type FeishuSecrets, verifyRequest } from './feishu.verify.ts';

export interface FeishuRouteDeps {
  receiver: FeishuReceiver;
  secrets: FeishuSecrets;
  clock: Clock;
}

const ERRORS = {
  400: { error: 'bad_request' },
  401: { error: 'unauthorized' },
  403: { error: 'forbidden' },
} as const;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function feishuRoutes(d: FeishuRouteDeps) {
  return (app: FastifyInstance): void => {
    // Signatures cover the exact bytes received, so this scope (these two routes only) keeps the
    // raw body and parses it after verification. The app-wide bodyLimit still answers 413.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    const handle = (route: 'events' | 'card') => async (req: FastifyRequest, res: FastifyReply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyRequest(
        raw,
        {
          timestamp: header(req, 'x-lark-request-timestamp'),
          nonce: header(req, 'x-lark-request-nonce'),
          signature: header(req, 'x-lark-signature'),
        },
        d.secrets,
        d.clock.now(),
      );
      if (!verdict.ok) {
        // The reason is for our logs only; callers learn nothing but the status.
        req.log.warn({ platform: 'feishu', route, status: verdict.status, reason: verdict.reason, ip: req.ip }, 'feishu webhook refused');
        return res.status(verdict.status).send(ERRORS[verdict.status]);
      }
      // From here on the platform is talking: the abuse guard never limits this request.
      req.authenticated = true;
      if (verdict.kind === 'challenge') return res.send({ challenge: verdict.challenge });

      const env = FeishuReceiver.envelope(verdict.body);
      if (!env) {
        req.log.warn({ platform: 'feishu', route }, 'feishu webhook: not a v2 event envelope');
        return res.status(400).send(ERRORS[400]);
      }
      if (env.header.event_type === CARD_CALLBACK) return res.send(d.receiver.cardAction(env));
      // Acknowledged only once stored; a storage failure answers 500 and Feishu retries.
      await d.receiver.acceptEvent(env, verdict.text);
      return res.send({});
    };

    app.post('/feishu/events', handle('events'));
    app.post('/feishu/card', handle('card'));
  };
}
