// Part 1: inbound acknowledgement. Each server runs in its own child process; autocannon runs
// here, against 127.0.0.1, with the same duration and connections for each, after a warm-up.
// Every Feishu and DingTalk request carries a unique event/message id (bodies are built and
// signed here, before the measured run, sized from the warm-up's rate).

import { join } from 'node:path';
import { type Child, runPart, spawnServer } from '../lib/child.ts';
import { type LoadResult, runLoad } from '../lib/load.ts';
import { backgroundShare, cpuSnapshot, processCpu } from '../lib/machine.ts';
import { cpus } from 'node:os';
import { type WireRequest, dingtalkMessage, dingtalkRequest, type FeishuVariant, feishuMessageEvent, feishuRequest } from '../lib/wire.ts';

export interface InboundSettings {
  durationS: number;
  warmupS: number;
  connections: number;
  fixedRate: number;
}

export type ServerKey = 'bare' | 'feishu' | 'feishuCommand' | 'dingtalk' | 'sdk';

export interface ServerRun extends LoadResult {
  server: ServerKey;
  label: string;
  path: string;
  warmupRps: number;
  poolSize: number;
  /** What the server reports after the run (rows stored, handler calls). */
  after: Record<string, unknown>;
  /** Share of the machine's CPU used by other processes during the measured run. */
  background: number;
  /** CPU time the server process used per answered request (µs), a figure that other load disturbs less. */
  serverCpuUsPerReq: number;
}

export type FixedRun = LoadResult & { server: ServerKey; rate: number; background: number };

export interface InboundReport {
  settings: InboundSettings;
  runs: Partial<Record<ServerKey, ServerRun>>;
  /**
   * Latency at a fixed request rate, for (b) and for the bare route as this machine's floor:
   * `fixedRate` with autocannon's overallRate (each connection bursts its share at the top of
   * every second), `paced` with requests evenly spaced (1 ms apart at 1,000 req/s).
   */
  fixedRate: Partial<Record<ServerKey, FixedRun>>;
  paced: Partial<Record<ServerKey, FixedRun>>;
  fake: Record<string, unknown>;
}

interface Target {
  key: ServerKey;
  label: string;
  script: string;
  path: string;
  build: (now: Date) => WireRequest;
  /** Ids mean nothing to it: cycle a small pool. */
  cycle?: boolean;
}

const feishu = (v: FeishuVariant) => (now: Date) => feishuRequest(feishuMessageEvent(v, now), now);

export interface InboundContext {
  tmpDir: string;
  logDir: string;
  log: (line: string) => void;
  /** Extra node flags for the measured servers (profiling). */
  nodeArgs?: string[];
  only?: ServerKey[];
  /** Called before each server is measured (the runner waits there for a quiet machine). */
  beforeEach?: () => Promise<unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function buildPool(n: number, build: (now: Date) => WireRequest): WireRequest[] {
  const now = new Date();
  const pool = new Array<WireRequest>(n);
  for (let i = 0; i < n; i++) pool[i] = build(now);
  return pool;
}

/** Waits (bounded) until the Groupflow server has processed everything it acknowledged. */
async function settle(child: Child, maxMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + maxMs;
  let extra: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    extra = (await child.probe()).extra;
    const inbound = extra.inbound as Record<string, number> | undefined;
    if (!inbound || !inbound.pending) break;
    await sleep(250);
  }
  return extra;
}

export async function benchInbound(s: InboundSettings, ctx: InboundContext): Promise<InboundReport> {
  const fake = await spawnServer('bench/servers/fake-platform.ts', ['0'], { logFile: join(ctx.logDir, 'fake-platform.log') });
  const fakeUrl = `http://127.0.0.1:${fake.port}`;
  const targets: Target[] = [
    { key: 'bare', label: '(a) bare Fastify route → {}', script: 'bench/servers/bare.ts', path: '/feishu/events', build: feishu('plain'), cycle: true },
    { key: 'feishu', label: '(b) Groupflow POST /feishu/events, plain message', script: 'bench/servers/feishu.ts', path: '/feishu/events', build: feishu('plain') },
    {
      key: 'feishuCommand',
      label: '(b′) Groupflow POST /feishu/events, /反馈 @李四 command',
      script: 'bench/servers/feishu.ts',
      path: '/feishu/events',
      build: feishu('command'),
    },
    { key: 'dingtalk', label: '(c) Groupflow POST /dingtalk/events', script: 'bench/servers/dingtalk.ts', path: '/dingtalk/events', build: (now) => dingtalkRequest(dingtalkMessage(now, fakeUrl), now) },
    { key: 'sdk', label: '(d) Lark SDK EventDispatcher + adaptDefault', script: 'bench/servers/sdk.ts', path: '/webhook/event', build: feishu('plain') },
  ];
  const report: InboundReport = { settings: s, runs: {}, fixedRate: {}, paced: {}, fake: {} };
  try {
    for (const t of targets) {
      if (ctx.only && !ctx.only.includes(t.key)) continue;
      await ctx.beforeEach?.();
      const dbFile = join(ctx.tmpDir, `inbound-${t.key}.db`);
      const child = await spawnServer(t.script, ['0'], {
        logFile: join(ctx.logDir, `${t.key}.log`),
        env: { BENCH_DB_FILE: dbFile, BENCH_FAKE_URL: fakeUrl },
        nodeArgs: ctx.nodeArgs,
      });
      try {
        const url = `http://127.0.0.1:${child.port}`;
        const more = () => t.build(new Date());
        // Warm-up (JIT, connection setup, SQLite page cache), also sizing the measured pool.
        const warm = await runLoad({ url, path: t.path, durationS: s.warmupS, connections: s.connections, pool: buildPool(t.cycle ? 5000 : 2000, t.build), more, cycle: t.cycle });
        if (warm.ok === 0) throw new Error(`${t.key}: warm-up got no 2xx answers: ${JSON.stringify(warm.statusCodes)} errors=${warm.errors}`);
        if (t.key !== 'bare' && t.key !== 'sdk') await settle(child);
        // The warm-up runs cold (JIT, page cache), so the measured run can be much faster: size
        // generously, as requests built during the run slow the load generator down.
        const poolSize = t.cycle ? 5000 : Math.ceil(warm.rps * s.durationS * 2.5) + 5000;
        const pool = buildPool(poolSize, t.build);
        await sleep(200);
        const pids = [process.pid, child.proc.pid!, fake.proc.pid!];
        const cpuBefore = processCpu(child.proc.pid!);
        const c0 = cpuSnapshot(pids);
        const r = await runLoad({ url, path: t.path, durationS: s.durationS, connections: s.connections, pool, more, cycle: t.cycle });
        const background = backgroundShare(c0, cpuSnapshot(pids), cpus().length);
        // Work acknowledged during the run but processed after it belongs to the run too.
        const after = t.key === 'bare' || t.key === 'sdk' ? (await child.probe()).extra : await settle(child);
        const serverCpuUsPerReq = Math.round(((processCpu(child.proc.pid!) - cpuBefore) * 1000) / Math.max(1, r.ok + r.non2xx));
        report.runs[t.key] = { ...r, server: t.key, label: t.label, path: t.path, warmupRps: warm.rps, poolSize, after, background, serverCpuUsPerReq };
        ctx.log(`  ${t.label}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (server CPU ${serverCpuUsPerReq} µs/request; non-2xx ${r.non2xx}, errors ${r.errors}, built live ${r.builtLive}, other processes ${(background * 100).toFixed(0)}% CPU)`);

        if (t.key === 'feishu' || t.key === 'bare') {
          const n = t.cycle ? 5000 : Math.ceil(s.fixedRate * s.durationS * 1.1) + 1000;
          const frPool = buildPool(n, t.build);
          const f0 = cpuSnapshot(pids);
          const fr = await runLoad({ url, path: t.path, durationS: s.durationS, connections: s.connections, overallRate: s.fixedRate, pool: frPool, more, cycle: t.cycle });
          const frBackground = backgroundShare(f0, cpuSnapshot(pids), cpus().length);
          if (t.key !== 'bare') await settle(child);
          report.fixedRate[t.key] = { ...fr, server: t.key, rate: s.fixedRate, background: frBackground };
          ctx.log(`  ${t.label.split(' ')[0]} at ${s.fixedRate} req/s (autocannon overallRate, bursts): ${fr.rps} req/s, p50 ${fr.p50} ms, p99 ${fr.p99} ms (other processes ${(frBackground * 100).toFixed(0)}% CPU)`);

          const p0 = cpuSnapshot(pids);
          const pr = await runPart<LoadResult & { clientCpuMs: number }>(
            'bench/parts/paced.ts',
            [String(child.port), t.path, t.cycle ? 'cycle' : 'plain', String(s.fixedRate), String(s.durationS), String(s.connections)],
            { logFile: join(ctx.logDir, 'paced.log'), timeoutMs: 120_000 },
          );
          const pBackground = backgroundShare(p0, cpuSnapshot(pids), cpus().length, pr.clientCpuMs);
          if (t.key !== 'bare') await settle(child);
          report.paced[t.key] = { ...pr, server: t.key, rate: s.fixedRate, background: pBackground };
          ctx.log(`  ${t.label.split(' ')[0]} at ${s.fixedRate} req/s (evenly paced): ${pr.rps} req/s, p50 ${pr.p50} ms, p99 ${pr.p99} ms (non-2xx ${pr.non2xx}, errors ${pr.errors}, other processes ${(pBackground * 100).toFixed(0)}% CPU)`);
        }
      } finally {
        await child.stop();
      }
    }
    report.fake = (await fake.probe()).extra;
  } finally {
    await fake.stop();
  }
  return report;
}
