// A rate limit for the webhook endpoints that never drops the platforms' legitimate requests.
// Authentication comes first: a webhook route marks a request whose signature (or token) it
// verified with `req.authenticated = true`, and such a request is never limited, whatever its
// address did before. Requests that fail authentication or validation count against their
// address; once an address is over its budget, its failing requests are answered 429 instead
// of 401/403/400 until the window has passed. Nothing an address does earns it trust: the
// platforms' egress addresses are shared, so a signed request says nothing about the next one.

import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a webhook route once the platform's signature or token on this request verified. */
    authenticated: boolean;
  }
}

export class AbuseGuard {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this address is over its budget of failed requests in the window. */
  blocked(addr: string): boolean {
    return this.recent(addr).length >= this.limit;
  }

  recordFailure(addr: string): void {
    const list = this.recent(addr);
    list.push(this.now());
    this.failures.set(addr, list);
    if (this.failures.size > 10_000) this.sweep();
  }

  private recent(addr: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(addr) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(addr, list);
    else this.failures.delete(addr);
    return list;
  }

  private sweep(): void {
    for (const addr of [...this.failures.keys()]) this.recent(addr);
  }
}

export interface GuardOptions {
  limit: number;
  windowSeconds: number;
  now: () => number;
  /** The platform a URL belongs to when it is a webhook route, else undefined. */
  webhook: (url: string) => string | undefined;
  /** Called for every webhook answer that was not a success (for metrics). */
  refused?: (platform: string, status: number) => void;
}

const TOO_MANY = JSON.stringify({ error: 'too_many_failures', message: '请求失败过多，请稍后再试 / too many failed requests' });

/** Installs the guard on the webhook routes of `app` (req.ip is the client, see server.trustProxy). */
export function installAbuseGuard(app: FastifyInstance, o: GuardOptions): void {
  const guard = new AbuseGuard(o.limit, o.windowSeconds * 1000, o.now);
  app.decorateRequest('authenticated', false);
  const failed = (status: number) => status >= 400 && status < 500 && status !== 429;
  // The answer is replaced only after the route has run, so authentication always gets its say.
  app.addHook('onSend', async (req, res, payload) => {
    if (req.authenticated || !failed(res.statusCode) || !o.webhook(req.url) || !guard.blocked(req.ip)) return payload;
    res.code(429).header('retry-after', String(o.windowSeconds)).type('application/json; charset=utf-8');
    return TOO_MANY;
  });
  app.addHook('onResponse', async (req, res) => {
    const platform = o.webhook(req.url);
    if (!platform) return;
    if (res.statusCode >= 300) o.refused?.(platform, res.statusCode);
    if (!req.authenticated && failed(res.statusCode)) guard.recordFailure(req.ip);
  });
}
