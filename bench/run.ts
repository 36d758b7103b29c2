// `npm run bench`: one run of every figure issue 7 asks for, printed as one table and written,
// with the raw numbers behind it, to bench/results.json. Only 127.0.0.1 traffic; every child
// process and every wait is bounded. Parts: parts/inbound.ts (servers in servers/, autocannon
// here, the evenly paced client in parts/paced.ts), parts/commands.ts, parts/scheduler.ts,
// parts/process.ts. Beside req/s, each inbound row shows the server's CPU time per request,
// which other load on the machine disturbs far less (the JSON records that load, too).
// Options (for profiling and quick checks, not for bench/README.md):
//   --quick            short durations and 10k/100k items only
//   --only=a,b         parts to run: inbound, commands, scheduler, process
//   --servers=x,y      inbound servers: bare, feishu, feishuCommand, dingtalk, sdk
//   --prof             write CPU profiles of the measured processes to <tmp>/prof
//   --keep             keep the temporary directory (databases, logs)
//   --out=FILE         write the JSON elsewhere
//   --pg=URL           also run the commands and scheduler parts on PostgreSQL (default: the
//                      server at GROUPFLOW_BENCH_PG or GROUPFLOW_TEST_PG, if one answers); a
//                      database gf_bench is made there for the run and dropped after it
//   --no-pg            SQLite only

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { runPart } from './lib/child.ts';
import { machine, waitForQuiet } from './lib/machine.ts';
import { int, markdownTable, ms, ratio, type Row } from './lib/table.ts';
import { benchInbound, type InboundReport, type ServerKey } from './parts/inbound.ts';
import { benchMemory, benchStartup, type MemoryReport, type StartupReport } from './parts/process.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string | undefined]));
const quick = args.has('quick');
const only = args.get('only')?.split(',');
const wants = (part: string) => !only || only.includes(part);
const settings = {
  inbound: { durationS: quick ? 4 : 10, warmupS: quick ? 1 : 3, connections: 10, fixedRate: 1000 },
  commandsS: quick ? 2 : 4,
  schedulerSizes: quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000],
  schedulerRuns: quick ? 3 : 5,
  restarts: quick ? 2 : 5,
};
const TARGETS = {
  vsBare: 0.5,
  vsSdk: 1.5,
  p99AtRateMs: 5,
  commandsPerS: 3000,
  tickMs: 50,
  growth: 1.5,
  rssMB: 120,
  startupMs: 1500,
};

/** A database of its own on the PostgreSQL server for this run, or undefined (SQLite only). */
async function benchPostgres(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  if (args.has('no-pg')) return undefined;
  const server = args.get('pg') ?? process.env.GROUPFLOW_BENCH_PG ?? process.env.GROUPFLOW_TEST_PG;
  if (!server) return undefined;
  const admin = new pg.Client({ connectionString: server, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    await admin.query('drop database if exists gf_bench');
    await admin.query('create database gf_bench');
  } catch (err) {
    console.log(`PostgreSQL figures left out: ${(err as Error).message}`);
    await admin.end().catch(() => undefined);
    return undefined;
  }
  const u = new URL(server);
  u.pathname = '/gf_bench';
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query('drop database if exists gf_bench with (force)').catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'groupflow-bench-'));
const logDir = join(tmp, 'logs');
mkdirSync(logDir);
const nodeArgs = args.has('prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(tmp, 'prof')}`] : [];
const log = (s: string) => console.log(s);
const started = Date.now();

const m = machine();
log(`Groupflow bench — ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}`);
log(`  temporary files and server logs: ${tmp}`);
// Other work on the machine lowers every figure: wait (within a budget of 3 minutes for the
// whole run) for a quiet moment before the run and before each part.
let quietBudgetMs = 180_000;
const quiet = async (maxMs: number) => {
  const t = Date.now();
  const share = await waitForQuiet(0.15, Math.min(maxMs, quietBudgetMs), log);
  quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - t));
  return share;
};
const quietShare = await quiet(90_000);

let inbound: InboundReport | undefined;
if (wants('inbound')) {
  log(`Inbound acknowledgement (${settings.inbound.durationS} s, ${settings.inbound.connections} connections, after ${settings.inbound.warmupS} s warm-up)…`);
  inbound = await benchInbound(settings.inbound, { tmpDir: tmp, logDir, log, nodeArgs, only: args.get('servers')?.split(',') as ServerKey[] | undefined, beforeEach: () => quiet(20_000) });
}

interface CommandsReport {
  engineOnly: { commands: number; seconds: number; perSecond: number };
  withDelivery: { commands: number; seconds: number; perSecond: number };
  mix: string[];
  checks: { errorReplies: number } & Record<string, unknown>;
}
let commands: CommandsReport | undefined;
if (wants('commands')) {
  await quiet(20_000);
  log('Commands end to end (one process)…');
  commands = await runPart<CommandsReport>('bench/parts/commands.ts', [join(tmp, 'commands.db'), String(settings.commandsS)], {
    logFile: join(logDir, 'commands.log'),
    timeoutMs: 120_000,
    nodeArgs,
    onLog: log,
  });
}

const postgres = wants('commands') || wants('scheduler') ? await benchPostgres() : undefined;
let pgCommands: CommandsReport | undefined;
let pgCluster: { instances: number; perSecond: number; each: number[]; errorReplies: number } | undefined;
if (postgres && wants('commands')) {
  await quiet(20_000);
  log('Commands end to end on PostgreSQL (one process)…');
  pgCommands = await runPart<CommandsReport>('bench/parts/commands.ts', [join(tmp, 'pg-commands.db'), String(settings.commandsS), postgres.url, 'one'], {
    logFile: join(logDir, 'pg-commands.log'),
    timeoutMs: 180_000,
    nodeArgs,
    onLog: log,
  });
  await quiet(20_000);
  log('Commands on PostgreSQL, three instances at once (each its own group)…');
  // All three begin measuring at the same moment, once each has started (start-up takes seconds).
  const startAt = String(Date.now() + 15_000);
  const three = await Promise.all(
    ['a', 'b', 'c'].map((tag) =>
      runPart<CommandsReport>('bench/parts/commands.ts', [join(tmp, `pg-commands-${tag}.db`), String(settings.commandsS), postgres.url, tag, startAt], {
        logFile: join(logDir, `pg-commands-${tag}.log`),
        timeoutMs: 180_000,
        nodeArgs,
        onLog: log,
      }),
    ),
  );
  pgCluster = {
    instances: three.length,
    each: three.map((r) => r.engineOnly.perSecond),
    perSecond: three.reduce((n, r) => n + r.engineOnly.perSecond, 0),
    errorReplies: three.reduce((n, r) => n + r.checks.errorReplies, 0),
  };
}

interface SchedulerRun {
  items: number;
  file: string;
  dbBytes: number;
  buildS: number;
  tickMs: number;
  runsMs: number[];
  fired: number;
  outboxRows: number;
}
let scheduler: SchedulerRun[] | undefined;
if (wants('scheduler')) {
  await quiet(20_000);
  log(`Scheduler tick (${settings.schedulerSizes.map((n) => n.toLocaleString('en-US')).join(' / ')} open items, 1,000 due)…`);
  scheduler = await runPart<SchedulerRun[]>('bench/parts/scheduler.ts', [tmp, settings.schedulerSizes.join(','), String(settings.schedulerRuns)], {
    logFile: join(logDir, 'scheduler.log'),
    timeoutMs: 420_000,
    nodeArgs,
    onLog: log,
  });
}

let pgScheduler: SchedulerRun[] | undefined;
if (postgres && wants('scheduler')) {
  await quiet(20_000);
  const sizes = settings.schedulerSizes.filter((n) => n >= 100_000);
  log(`Scheduler tick on PostgreSQL (${sizes.map((n) => n.toLocaleString('en-US')).join(' / ')} open items, 1,000 due)…`);
  pgScheduler = await runPart<SchedulerRun[]>('bench/parts/scheduler.ts', [tmp, sizes.join(','), String(settings.schedulerRuns), postgres.url], {
    logFile: join(logDir, 'pg-scheduler.log'),
    timeoutMs: 900_000,
    nodeArgs,
    onLog: log,
  });
}
await postgres?.drop();

let startup: StartupReport | undefined;
let memory: MemoryReport | undefined;
if (wants('process')) {
  await quiet(20_000);
  log('Start-up and memory of dist/main.js (what npm start runs, built once first)…');
  startup = await benchStartup(tmp, logDir, settings.restarts);
  log(`  start-up to ready: new databases ${startup.freshRunsMs.join(' / ')} ms, restarts ${startup.restartMs.join(' / ')} ms`);
  const big = scheduler?.at(-1);
  memory = await benchMemory(tmp, logDir, big ? { file: big.file, items: big.items } : undefined);
  log(`  RSS after GC: idle ${memory.idleRssMB} MB${memory.withItemsRssMB ? `, with ${big!.items.toLocaleString('en-US')} items ${memory.withItemsRssMB} MB` : ''}`);
}

// ── the table ───────────────────────────────────────────────────────────────────────────────
const rows: Row[] = [];
const targets: Array<{ figure: string; value: number; target: string; met: boolean }> = [];
const judge = (row: Row, value: number, target: string, met: boolean) => {
  row.target = target;
  row.met = met;
  targets.push({ figure: row.figure, value, target, met });
  return row;
};

if (inbound) {
  const a = inbound.runs.bare;
  const d = inbound.runs.sdk;
  const names: Record<ServerKey, string> = {
    bare: '(a) bare Fastify route `{}`',
    feishu: '(b) Groupflow Feishu `POST /feishu/events`',
    feishuCommand: '(b′) same, each event a `/反馈 @李四 …` command',
    dingtalk: '(c) Groupflow DingTalk `POST /dingtalk/events`',
    sdk: '(d) Lark SDK `EventDispatcher` + `adaptDefault`',
  };
  for (const key of ['bare', 'feishu', 'feishuCommand', 'dingtalk', 'sdk'] as ServerKey[]) {
    const r = inbound.runs[key];
    if (!r) continue;
    const rps: Row = { figure: `${names[key]} — req/s (server CPU per request)`, result: `${int(r.rps)} (${int(r.serverCpuUsPerReq)} µs)`, vsBare: a ? ratio(r.rps / a.rps) : undefined, vsSdk: d ? ratio(r.rps / d.rps) : undefined };
    if ((key === 'feishu' || key === 'dingtalk') && a && d) {
      const met = r.rps >= TARGETS.vsBare * a.rps && r.rps >= TARGETS.vsSdk * d.rps;
      judge(rps, r.rps, `≥ ${TARGETS.vsBare}× bare and ≥ ${TARGETS.vsSdk}× SDK`, met);
    }
    rows.push(rps);
    for (const q of ['p50', 'p99'] as const) {
      rows.push({ figure: `${names[key]} — ${q}`, result: ms(r[q]), vsBare: a ? ratio(r[q] / a[q]) : undefined, vsSdk: d ? ratio(r[q] / d[q]) : undefined });
    }
  }
  const pa = inbound.paced.bare;
  const pb = inbound.paced.feishu;
  if (pa) rows.push({ figure: `(a) bare route at ${int(pa.rate)} req/s evenly paced — p99`, result: `${ms(pa.p99)} (${int(pa.rps)} req/s served)` });
  if (pb) {
    rows.push(
      judge(
        { figure: `(b) Feishu events at ${int(pb.rate)} req/s evenly paced — p99`, result: `${ms(pb.p99)} (${int(pb.rps)} req/s served)`, vsBare: pa ? ratio(pb.p99 / pa.p99) : undefined },
        pb.p99,
        `≤ ${TARGETS.p99AtRateMs} ms`,
        pb.p99 <= TARGETS.p99AtRateMs && pb.rps >= 0.95 * pb.rate && pb.non2xx + pb.errors === 0,
      ),
    );
  }
  const fa = inbound.fixedRate.bare;
  const fb = inbound.fixedRate.feishu;
  if (fa) rows.push({ figure: `(a) bare route, autocannon \`overallRate: ${fa.rate}\` (per-connection bursts) — p99`, result: `${ms(fa.p99)} (${int(fa.rps)} req/s served)` });
  if (fb) rows.push({ figure: `(b) Feishu events, autocannon \`overallRate: ${fb.rate}\` (per-connection bursts) — p99`, result: `${ms(fb.p99)} (${int(fb.rps)} req/s served)`, vsBare: fa ? ratio(fb.p99 / fa.p99) : undefined });
}
if (commands) {
  rows.push(judge({ figure: 'Commands end to end (parse → transition → audit → outbox, one tx each)', result: `${int(commands.engineOnly.perSecond)}/s` }, commands.engineOnly.perSecond, `≥ ${int(TARGETS.commandsPerS)}/s`, commands.engineOnly.perSecond >= TARGETS.commandsPerS && commands.checks.errorReplies === 0));
  rows.push({ figure: 'Commands, with the outbox delivered in between (sandbox platform)', result: `${int(commands.withDelivery.perSecond)}/s` });
}
if (scheduler) {
  for (const s of scheduler) {
    const row: Row = { figure: `Scheduler tick, ${int(s.items)} open items, 1,000 due (median of ${s.runsMs.length})`, result: ms(s.tickMs, 1) };
    rows.push(s.items === 1_000_000 ? judge(row, s.tickMs, `≤ ${TARGETS.tickMs} ms`, s.tickMs <= TARGETS.tickMs) : row);
  }
  const s100 = scheduler.find((s) => s.items === 100_000);
  const s1m = scheduler.find((s) => s.items === 1_000_000);
  if (s100 && s1m) {
    const g = s1m.tickMs / s100.tickMs;
    rows.push(judge({ figure: 'Tick growth 100k → 1M items', result: ratio(g) }, g, `< ${TARGETS.growth}×`, g < TARGETS.growth));
  }
}
if (pgCommands) {
  const vsSqlite = commands ? ` (${ratio(pgCommands.engineOnly.perSecond / commands.engineOnly.perSecond)} SQLite's)` : '';
  rows.push({ figure: 'PostgreSQL: commands end to end, one instance', result: `${int(pgCommands.engineOnly.perSecond)}/s${vsSqlite}` });
  rows.push({ figure: 'PostgreSQL: commands, with the outbox delivered in between', result: `${int(pgCommands.withDelivery.perSecond)}/s` });
}
if (pgCluster) {
  rows.push({ figure: `PostgreSQL: commands, ${pgCluster.instances} instances at once, same seconds (sum; each ${pgCluster.each.map(int).join(' / ')})`, result: `${int(pgCluster.perSecond)}/s` });
}
for (const s of pgScheduler ?? []) {
  rows.push({ figure: `PostgreSQL: scheduler tick, ${int(s.items)} open items, 1,000 due (median of ${s.runsMs.length})`, result: ms(s.tickMs, 1) });
}
if (memory) {
  rows.push(judge({ figure: 'RSS, started server idle, after GC', result: `${memory.idleRssMB.toFixed(1)} MB` }, memory.idleRssMB, `≤ ${TARGETS.rssMB} MB`, memory.idleRssMB <= TARGETS.rssMB));
  if (memory.withItemsRssMB !== undefined) {
    rows.push(
      judge(
        { figure: `RSS, started server with ${int(memory.items ?? 0)} items stored, after GC`, result: `${memory.withItemsRssMB.toFixed(1)} MB` },
        memory.withItemsRssMB,
        `≤ ${TARGETS.rssMB} MB`,
        memory.withItemsRssMB <= TARGETS.rssMB,
      ),
    );
  }
}
if (startup) {
  rows.push(judge({ figure: `Start-up to ready (\`/readyz\` 200), existing database (median of ${startup.restartMs.length})`, result: ms(startup.restartMedianMs, 0) }, startup.restartMedianMs, `≤ ${TARGETS.startupMs / 1000} s`, startup.restartMedianMs <= TARGETS.startupMs));
  rows.push(judge({ figure: `Start-up to ready, new database (runs the migrations; median of ${startup.freshRunsMs.length})`, result: ms(startup.freshMs, 0) }, startup.freshMs, `≤ ${TARGETS.startupMs / 1000} s`, startup.freshMs <= TARGETS.startupMs));
}

const table = markdownTable(rows);
const machineLine = `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}. Load generator (autocannon 8) on the same machine; inbound: ${settings.inbound.durationS} s × ${settings.inbound.connections} connections after ${settings.inbound.warmupS} s warm-up.`;
const busy = [
  ...Object.values(inbound?.runs ?? {}).map((r) => r.background),
  ...Object.values(inbound?.fixedRate ?? {}).map((r) => r.background),
  ...Object.values(inbound?.paced ?? {}).map((r) => r.background),
  quietShare,
].reduce((x, y) => Math.max(x, y), 0);

console.log('');
console.log(machineLine);
console.log('');
console.log(table);
console.log('');
if (busy > 0.1) console.log(`⚠ other processes used up to ${(busy * 100).toFixed(0)}% of the CPUs during this run: the figures are lower than this machine can do.`);

const out = resolve(args.get('out') ?? 'bench/results.json');
const json = {
  date: new Date().toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  machine: m,
  settings,
  targets: TARGETS,
  backgroundCpuMax: Number(busy.toFixed(3)),
  inbound,
  commands,
  scheduler: scheduler?.map(({ file: _file, ...s }) => s),
  postgres: postgres ? { commands: pgCommands, cluster: pgCluster, scheduler: pgScheduler?.map(({ file: _file, ...s }) => s) } : undefined,
  startup,
  memory,
  verdicts: targets,
  table,
};
writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
console.log(`Results: ${out} (${json.durationS} s)`);
if (nodeArgs.length) console.log(`CPU profiles: ${join(tmp, 'prof')} (summarise with: node --import tsx bench/tools/cpuprofile.ts <file>)`);
if (args.has('keep') || nodeArgs.length) console.log(`Kept: ${tmp}`);
else rmSync(tmp, { recursive: true, force: true });
