// Drives one server with autocannon from this process. Each request takes the next pre-built,
// pre-signed body from a pool (so no signing happens in the measured server, and none in the load
// generator while it measures); an exhausted pool is refilled one request at a time and counted.
// Latency is taken per 2xx response from autocannon's own hrtime measurement (µs resolution;
// autocannon's histogram rounds to whole milliseconds).

import autocannon, { type Result } from 'autocannon';
import { quantile, round, Samples } from './stats.ts';
import type { WireRequest } from './wire.ts';

export interface LoadOptions {
  url: string;
  path: string;
  durationS: number;
  connections: number;
  /** Requests per second across all connections (fixed-rate mode). */
  overallRate?: number;
  pool: WireRequest[];
  /** Builds one more request when the pool runs out. */
  more: () => WireRequest;
  /** Reuse the pool round-robin instead of (for the bare route, where ids mean nothing). */
  cycle?: boolean;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** Requests built during the run because the pool was exhausted. */
  builtLive: number;
  statusCodes: Record<string, number>;
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let builtLive = 0;
  const take = (): WireRequest => {
    if (o.cycle) return o.pool[next++ % o.pool.length]!;
    if (next < o.pool.length) {
      const r = o.pool[next]!;
      // Let the body be collected once sent: pools are large.
      o.pool[next++] = undefined as unknown as WireRequest;
      return r;
    }
    builtLive++;
    return o.more();
  };
  const lat = new Samples();
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationS,
        timeout: 10,
        ...(o.overallRate ? { overallRate: o.overallRate } : {}),
        requests: [
          {
            method: 'POST',
            path: o.path,
            setupRequest: (req) => {
              const w = take();
              return { ...req, method: 'POST', path: o.path, headers: w.headers, body: w.body };
            },
          },
        ],
      },
      (err: Error | null, r: Result) => {
        if (err) return reject(err);
        const s = lat.sorted();
        const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
        resolve({
          rps: round(s.length / r.duration, 0),
          p50: round(quantile(s, 0.5), 3),
          p90: round(quantile(s, 0.9), 3),
          p99: round(quantile(s, 0.99), 3),
          max: round(s.length ? s[s.length - 1]! : Number.NaN, 3),
          ok: s.length,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          durationS: r.duration,
          builtLive,
          statusCodes,
        });
      },
    );
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) lat.push(ms);
    });
  });
}
