// Before/after table of two bench/results.json files (for bench/README.md's record of what changed).
// Usage: node --import tsx bench/tools/compare.ts <before.json> <after.json>

import { readFileSync } from 'node:fs';

interface Run {
  rps: number;
  p99: number;
  serverCpuUsPerReq?: number;
}
interface Results {
  date: string;
  targets: Record<string, number>;
  inbound?: { runs: Record<string, Run | undefined>; paced?: Record<string, Run | undefined> };
  commands?: { engineOnly: { perSecond: number }; withDelivery: { perSecond: number } };
  scheduler?: Array<{ items: number; tickMs: number }>;
  startup?: { freshMs: number; restartMedianMs: number };
  memory?: { idleRssMB: number; withItemsRssMB?: number };
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) throw new Error('usage: compare.ts <before.json> <after.json>');
const before = JSON.parse(readFileSync(beforeFile, 'utf8')) as Results;
const after = JSON.parse(readFileSync(afterFile, 'utf8')) as Results;
const t = after.targets;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fix = (n: number, d = 2) => n.toFixed(d);
type Pick = (r: Results) => number | undefined;
interface Row {
  figure: string;
  pick: Pick;
  show: (n: number) => string;
  target?: string;
  met?: (n: number) => boolean;
}

const run = (key: string) => (r: Results) => r.inbound?.runs[key];
const rate = (key: string): Pick => (r) => run(key)(r)?.rps;
const cpu = (key: string): Pick => (r) => run(key)(r)?.serverCpuUsPerReq;
const ratioOf = (a: string, b: string): Pick => (r) => {
  const x = run(a)(r)?.rps;
  const y = run(b)(r)?.rps;
  return x !== undefined && y ? x / y : undefined;
};
const tick = (items: number): Pick => (r) => r.scheduler?.find((s) => s.items === items)?.tickMs;

const rows: Row[] = [
  { figure: '(a) bare Fastify route — req/s', pick: rate('bare'), show: int },
  { figure: '(b) Feishu events — req/s', pick: rate('feishu'), show: int },
  { figure: '(b) Feishu events — server CPU per request', pick: cpu('feishu'), show: (n) => `${int(n)} µs` },
  { figure: '(b) ÷ (a) bare', pick: ratioOf('feishu', 'bare'), show: (n) => `${fix(n)}×`, target: `≥ ${t.vsBare}×`, met: (n) => n >= t.vsBare! },
  { figure: '(b) ÷ (d) SDK', pick: ratioOf('feishu', 'sdk'), show: (n) => `${fix(n)}×`, target: `≥ ${t.vsSdk}×`, met: (n) => n >= t.vsSdk! },
  { figure: '(b′) Feishu, each event a command — req/s', pick: rate('feishuCommand'), show: int },
  { figure: '(c) DingTalk callback — req/s', pick: rate('dingtalk'), show: int },
  { figure: '(c) DingTalk callback — server CPU per request', pick: cpu('dingtalk'), show: (n) => `${int(n)} µs` },
  { figure: '(c) ÷ (a) bare', pick: ratioOf('dingtalk', 'bare'), show: (n) => `${fix(n)}×`, target: `≥ ${t.vsBare}×`, met: (n) => n >= t.vsBare! },
  { figure: '(c) ÷ (d) SDK', pick: ratioOf('dingtalk', 'sdk'), show: (n) => `${fix(n)}×`, target: `≥ ${t.vsSdk}×`, met: (n) => n >= t.vsSdk! },
  { figure: '(d) Lark SDK EventDispatcher — req/s', pick: rate('sdk'), show: int },
  { figure: '(b) Feishu at 1,000 req/s evenly paced — p99', pick: (r) => r.inbound?.paced?.feishu?.p99, show: (n) => `${fix(n)} ms`, target: `≤ ${t.p99AtRateMs} ms`, met: (n) => n <= t.p99AtRateMs! },
  { figure: '(a) bare at 1,000 req/s evenly paced — p99', pick: (r) => r.inbound?.paced?.bare?.p99, show: (n) => `${fix(n)} ms` },
  { figure: 'Commands end to end, one tx each', pick: (r) => r.commands?.engineOnly.perSecond, show: (n) => `${int(n)}/s`, target: `≥ ${int(t.commandsPerS!)}/s`, met: (n) => n >= t.commandsPerS! },
  { figure: 'Commands, outbox delivered in between', pick: (r) => r.commands?.withDelivery.perSecond, show: (n) => `${int(n)}/s` },
  { figure: 'Scheduler tick, 10k open items, 1k due', pick: tick(10_000), show: (n) => `${fix(n, 1)} ms` },
  { figure: 'Scheduler tick, 100k open items, 1k due', pick: tick(100_000), show: (n) => `${fix(n, 1)} ms` },
  { figure: 'Scheduler tick, 1M open items, 1k due', pick: tick(1_000_000), show: (n) => `${fix(n, 1)} ms`, target: `≤ ${t.tickMs} ms`, met: (n) => n <= t.tickMs! },
  {
    figure: 'Tick growth 100k → 1M',
    pick: (r) => {
      const a = tick(100_000)(r);
      const b = tick(1_000_000)(r);
      return a && b ? b / a : undefined;
    },
    show: (n) => `${fix(n)}×`,
    target: `< ${t.growth}×`,
    met: (n) => n < t.growth!,
  },
  { figure: 'RSS idle, after GC', pick: (r) => r.memory?.idleRssMB, show: (n) => `${fix(n, 1)} MB`, target: `≤ ${t.rssMB} MB`, met: (n) => n <= t.rssMB! },
  { figure: 'RSS with 1M items stored, after GC', pick: (r) => r.memory?.withItemsRssMB, show: (n) => `${fix(n, 1)} MB`, target: `≤ ${t.rssMB} MB`, met: (n) => n <= t.rssMB! },
  { figure: 'Start-up to ready, existing database', pick: (r) => r.startup?.restartMedianMs, show: (n) => `${int(n)} ms`, target: `≤ ${t.startupMs! / 1000} s`, met: (n) => n <= t.startupMs! },
  { figure: 'Start-up to ready, new database', pick: (r) => r.startup?.freshMs, show: (n) => `${int(n)} ms`, target: `≤ ${t.startupMs! / 1000} s`, met: (n) => n <= t.startupMs! },
];

const day = (r: Results) => r.date.replace('T', ' ').slice(0, 16);
const lines = [`| Figure | Before (${day(before)} UTC) | After (${day(after)} UTC) | Target |  |`, '|---|---:|---:|---|:-:|'];
for (const row of rows) {
  const b = row.pick(before);
  const a = row.pick(after);
  if (a === undefined && b === undefined) continue;
  const verdict = row.met && a !== undefined ? (row.met(a) ? '✓' : '✗') : '';
  lines.push(`| ${row.figure} | ${b === undefined ? '—' : row.show(b)} | ${a === undefined ? '—' : row.show(a)} | ${row.target ?? ''} | ${verdict} |`);
}
console.log(lines.join('\n'));
