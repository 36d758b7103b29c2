// Child side of the bench's IPC channel: the parent asks for memory figures (optionally after a
// full GC, which needs --expose-gc) and for whatever counters the child registers. Loaded by every
// bench server, and preloaded with --import into src/main.ts for the memory figures.
// When the parent goes away the child exits, so no bench process outlives its run.

export interface ProbeReply {
  type: 'probe';
  id: number;
  rss: number;
  heapUsed: number;
  external: number;
  gc: boolean;
  extra: Record<string, unknown>;
}

let extraFn: () => Record<string, unknown> = () => ({});

/** Adds counters to every probe reply (rows stored, requests seen…). */
export function probeExtra(fn: () => Record<string, unknown>): void {
  extraFn = fn;
}

/** Tells the parent the server listens (and on which port). */
export function ready(port: number): void {
  process.send?.({ type: 'ready', port });
}

if (process.send) {
  process.on('message', (m: { type?: string; id?: number; gc?: boolean }) => {
    if (m?.type !== 'probe') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    const collect = Boolean(m.gc && gc);
    if (collect) {
      // Twice: the first pass can leave weakly held objects for the second.
      gc!();
      gc!();
    }
    const mem = process.memoryUsage();
    let extra: Record<string, unknown> = {};
    try {
      extra = extraFn();
    } catch (err) {
      extra = { error: (err as Error).message };
    }
    const reply: ProbeReply = { type: 'probe', id: m.id ?? 0, rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, gc: collect, extra };
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
