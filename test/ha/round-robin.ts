// A round-robin HTTP proxy on 127.0.0.1 in front of several bot instances, as a load balancer
// without health checks: each request goes to the next instance in turn, and one that refuses
// the connection (down) is answered 502, so the sender treats it as not acknowledged and retries.
// Requests sharing an `x-ha-pair` token go to different instances (the first one to arrive takes
// the next in turn, the others skip it): a platform retry landing elsewhere, or two clicks on
// one card racing on two instances. Which instance served a request is in `x-ha-backend`.

import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RoundRobinProxy {
  url = '';
  /** Requests per instance index, and those answered 502 (instance down). */
  readonly served: number[];
  refused = 0;
  private next = 0;
  private readonly pairs = new Map<string, Set<number>>();
  private server: Server | undefined;

  constructor(readonly backends: string[]) {
    this.served = backends.map(() => 0);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The instance for this request, chosen as it arrives (before its body). */
  private choose(pair: string | undefined): number {
    const taken = pair ? (this.pairs.get(pair) ?? new Set<number>()) : new Set<number>();
    let i = this.next % this.backends.length;
    for (let k = 0; k < this.backends.length && taken.has(i); k++) i = (i + 1) % this.backends.length;
    this.next = i + 1;
    if (pair) {
      taken.add(i);
      this.pairs.set(pair, taken);
    }
    return i;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const pair = req.headers['x-ha-pair'];
    const i = this.choose(typeof pair === 'string' ? pair : undefined);
    this.served[i]!++;
    const target = new URL(req.url ?? '/', this.backends[i]);
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
    delete headers['x-ha-pair'];
    const up = request(target, { method: req.method, headers }, (r) => {
      const h = { ...r.headers, 'x-ha-backend': String(i) };
      res.writeHead(r.statusCode ?? 502, h);
      r.pipe(res);
      r.on('error', () => res.destroy());
    });
    up.on('error', () => {
      // Down (refused) or died mid-request (reset): either way not acknowledged.
      if (!res.headersSent) {
        this.refused++;
        res.writeHead(502, { 'content-type': 'text/plain', 'x-ha-backend': String(i) });
        res.end('instance unavailable');
      } else res.destroy();
    });
    req.pipe(up);
  }
}
