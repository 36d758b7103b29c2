// The evenly paced load generator in a process of its own, so that its latencies carry none of
// the parent's garbage collections (the parent holds autocannon and large request pools).
// Usage: node --import tsx bench/parts/paced.ts <port> <path> <plain|cycle> <rate> <seconds> <connections>

import { sendResult } from '../lib/child.ts';
import { runPaced } from '../lib/paced.ts';
import { feishuMessageEvent, feishuRequest } from '../lib/wire.ts';

const [port = '0', path = '/', mode = 'plain', rate = '1000', seconds = '10', connections = '10'] = process.argv.slice(2);
const build = (now: Date) => feishuRequest(feishuMessageEvent('plain', now), now);
const cycle = mode === 'cycle';
const now = new Date();
const n = cycle ? 5000 : Math.ceil(Number(rate) * Number(seconds) * 1.05) + 500;
const pool = Array.from({ length: n }, () => build(now));
const r = await runPaced({
  port: Number(port),
  path,
  rate: Number(rate),
  durationS: Number(seconds),
  connections: Number(connections),
  pool,
  more: () => build(new Date()),
  cycle,
});
const cpu = process.cpuUsage();
await sendResult({ ...r, clientCpuMs: (cpu.user + cpu.system) / 1000 });
process.exit(0);
