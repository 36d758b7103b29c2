// Summarises a V8 .cpuprofile (from node --cpu-prof): self time by function and total (inclusive)
// time by function, top N. Usage: node --import tsx bench/tools/cpuprofile.ts <file> [N] [filter]
// A filter of the form `under:<text>` keeps only the samples taken inside a function whose label
// contains <text> (e.g. `under:fireBatch` for the scheduler's tick alone).

import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, nArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile.ts <file> [N] [filter]');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const N = Number(nArg ?? 30);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample from timeDeltas.
const selfUs = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0));
const under = filter?.startsWith('under:') ? filter.slice(6) : undefined;
if (under) {
  const inside = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (`${n.callFrame.functionName} ${n.callFrame.url}`.includes(under)) return true;
    }
    return false;
  };
  for (const id of [...selfUs.keys()]) if (!inside(id)) selfUs.delete(id);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (u: string) => u.replace(/^file:\/\/\/work\/main\//, '').replace(/.*node_modules\//, 'nm/');
const label = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const incl = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + us);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  [...m]
    .filter(([k]) => !filter || under !== undefined || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, N)
    .forEach(([k, v]) => console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`));
};
show('self time', self);
show('inclusive time', incl);

// Self time by package (node_modules/<pkg>), by our folders, and by node internals.
const byPkg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const u = byId.get(id)!.callFrame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  const k = m ? m[1]! : u.startsWith('node:') ? 'node:internal' : u.includes('/src/') ? 'src' : u.includes('/bench/') ? 'bench' : u || '(native/idle/gc)';
  byPkg.set(k, (byPkg.get(k) ?? 0) + us);
}
show('self time by package', byPkg);
