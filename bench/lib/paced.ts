// An evenly paced, open-loop load: one request every 1000/rate ms whatever the answers do,
// over a few keep-alive connections (raw sockets and pre-built request bytes, like autocannon,
// so the client stays cheap: node:http costs ~0.4 ms of CPU per request on a small machine).
// A request due while every connection is busy waits in a queue, and that wait counts in its
// latency (no coordinated omission); the client's own timer lateness does not.
// autocannon's overallRate is not this: each connection sends its share of the second back to
// back at the top of every second, so its percentiles measure bursts of `connections`
// concurrent requests. Both are reported.

import { connect, type Socket } from 'node:net';
import type { LoadResult } from './load.ts';
import { quantile, round, Samples } from './stats.ts';
import type { WireRequest } from './wire.ts';

export interface PacedOptions {
  port: number;
  path: string;
  rate: number;
  durationS: number;
  connections: number;
  pool: WireRequest[];
  more: () => WireRequest;
  cycle?: boolean;
}

function requestBytes(port: number, path: string, w: WireRequest): Buffer {
  const body = Buffer.from(w.body, 'utf8');
  const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: keep-alive', `Content-Length: ${body.length}`];
  for (const [k, v] of Object.entries(w.headers)) if (k.toLowerCase() !== 'content-length') head.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Length of one complete response at the start of `buf` and its status, or undefined if incomplete. */
function parseResponse(buf: Buffer): { length: number; status: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) {
    const length = end + 4 + Number(cl[1]);
    return buf.length >= length ? { length, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buf.indexOf('0\r\n\r\n', end + 4);
    return last < 0 ? undefined : { length: last + 5, status };
  }
  return { length: end + 4, status };
}

interface Conn {
  socket: Socket;
  busy: boolean;
  started: number;
  buf: Buffer;
}

export async function runPaced(o: PacedOptions): Promise<LoadResult> {
  const lat = new Samples();
  const statusCodes: Record<string, number> = {};
  let next = 0;
  let builtLive = 0;
  let errors = 0;
  let done = 0;
  const take = (): WireRequest => {
    if (o.cycle) return o.pool[next++ % o.pool.length]!;
    if (next < o.pool.length) return o.pool[next++]!;
    builtLive++;
    return o.more();
  };
  const queue: number[] = []; // start times of requests waiting for a free connection
  const conns: Conn[] = [];
  const dispatch = (c: Conn) => {
    const start = queue.shift();
    if (start === undefined) return;
    c.busy = true;
    c.started = start;
    c.socket.write(requestBytes(o.port, o.path, take()));
  };
  await Promise.all(
    Array.from(
      { length: o.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const c: Conn = { socket: connect(o.port, '127.0.0.1'), busy: false, started: 0, buf: Buffer.alloc(0) };
          c.socket.setNoDelay(true);
          c.socket.once('connect', () => resolve());
          c.socket.once('error', reject);
          c.socket.on('data', (d: Buffer) => {
            c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
            const r = parseResponse(c.buf);
            if (!r) return;
            c.buf = c.buf.subarray(r.length);
            statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;
            if (r.status >= 200 && r.status < 300) lat.push(performance.now() - c.started);
            done++;
            c.busy = false;
            dispatch(c);
          });
          c.socket.on('close', () => {
            if (c.busy) errors++;
          });
          conns.push(c);
        }),
    ),
  );

  const interval = 1000 / o.rate;
  const total = Math.round(o.rate * o.durationS);
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        // Due at or before now: the clock starts when the client's timer could act (its own
        // lateness is not the server's); waiting for a free connection counts.
        queue.push(now);
        sent++;
      }
      for (const c of conns) if (!c.busy && queue.length) dispatch(c);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 15_000;
  while (done + errors < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const elapsedS = (performance.now() - t0) / 1000;
  for (const c of conns) c.socket.destroy();
  const s = lat.sorted();
  const non2xx = Object.entries(statusCodes).reduce((a, [k, v]) => a + (Number(k) >= 200 && Number(k) < 300 ? 0 : v), 0);
  return {
    rps: round(s.length / elapsedS, 0),
    p50: round(quantile(s, 0.5), 3),
    p90: round(quantile(s, 0.9), 3),
    p99: round(quantile(s, 0.99), 3),
    max: round(s.length ? s[s.length - 1]! : Number.NaN, 3),
    ok: s.length,
    non2xx,
    errors: errors + Math.max(0, total - done - errors),
    timeouts: 0,
    durationS: round(elapsedS, 2),
    builtLive,
    statusCodes,
  };
}
