import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { LiveHub } from '../../../src/platforms/sandbox/sandbox.live.ts';
import { loadAssets } from '../../../src/platforms/sandbox/sandbox.page.ts';
import { sandboxRoutes } from '../../../src/platforms/sandbox/sandbox.routes.ts';
import type { SandboxService } from '../../../src/platforms/sandbox/sandbox.service.ts';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('sandbox SSE stream', () => {
  it('subscribes while a page listens, sends heartbeats, and unsubscribes when it goes away', async () => {
    const live = new LiveHub();
    // The aborted test client may leave its keep-alive socket open a few seconds; don't wait.
    const app = Fastify({ forceCloseConnections: true });
    // The event stream needs no service; the other routes are not called here.
    await app.register(async (s) => sandboxRoutes({ service: {} as SandboxService, live, assets: loadAssets(), allowRemote: false, heartbeatMs: 20 })(s));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (app.server.address() as { port: number }).port;
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/sandbox/api/events`, { signal: ac.signal });
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let got = '';
      await until(() => live.size === 1);
      live.publish({ type: 'state' });
      while (!got.includes(': ping')) got += dec.decode((await reader.read()).value);
      expect(got).toContain('retry: 2000');
      expect(got).toContain('event: state\ndata: {"type":"state"}\n\n');
      ac.abort();
      await until(() => live.size === 0);
    } finally {
      await app.close();
    }
  });
});
