// A fault-injecting HTTP proxy on 127.0.0.1 in front of a fake platform. Each request is either
// forwarded (optionally after a delay, so a crash can land between the platform accepting a
// message and the bot hearing back), or answered with a scripted fault: an error status the
// proxy writes itself (never forwarded), a hang or a reset before forwarding, or a hang or a
// reset after forwarding (the platform acted, the answer never arrives — the case idempotency
// keys exist for).

import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; body: string; headers?: Record<string, string>; label: string }
  | { kind: 'hang'; label: string }
  | { kind: 'hang-after'; label: string }
  /** The connection is reset: before forwarding (nothing happened) or after (the platform acted). */
  | { kind: 'drop' | 'drop-after'; label: string }
  | { kind: 'delay'; ms: number; label: string };

export interface ProxiedCall {
  method: string;
  path: string;
  /** The query string, without its `?` ('' when there is none). */
  query: string;
  /** Parsed JSON body, when it was JSON. */
  body: Record<string, unknown> | undefined;
}

export type FaultPlan = (call: ProxiedCall) => Fault | undefined;

export class FaultProxy {
  url = '';
  /** Every fault answered, in order. */
  readonly injected: Array<{ path: string; label: string }> = [];
  /** Calls forwarded to the platform. */
  forwarded = 0;
  plan: FaultPlan = () => undefined;
  private server: Server | undefined;
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0]!;
    let body: Record<string, unknown> | undefined;
    try {
      const v: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      body = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    const fault = this.plan({ method: req.method ?? 'GET', path, query: (req.url ?? '').split('?')[1] ?? '', body });
    if (fault && fault.kind !== 'delay') this.injected.push({ path, label: fault.label });
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      res.end(fault.body);
      return;
    }
    if (fault?.kind === 'hang') {
      this.hold(res);
      return;
    }
    if (fault?.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    let answer: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      answer = await this.forward(req, raw);
    } catch {
      res.destroy();
      return;
    }
    this.forwarded++;
    if (fault?.kind === 'hang-after') {
      this.hold(res);
      return;
    }
    if (fault?.kind === 'drop-after') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  private forward(req: IncomingMessage, raw: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    const headers = { ...req.headers, host: target.host };
    return new Promise((resolve, reject) => {
      const up = request(target, { method: req.method, headers }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(parts) }));
        r.on('error', reject);
      });
      up.on('error', reject);
      up.end(raw);
    });
  }
}
