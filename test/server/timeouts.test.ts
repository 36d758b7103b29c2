// Slow clients against the real listening server (node:net sockets, no inject): a connection
// that drips its headers or its body a byte at a time is cut off within the configured
// deadline, while an ordinary request on the same server is answered.

import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestRuntime, testRuntime } from '../helpers/runtime.ts';

let rt: TestRuntime;
let port: number;
beforeEach(async () => {
  rt = await testRuntime({ config: { server: { timeouts: { headersMs: 600, requestMs: 900, keepAliveMs: 600 } } } });
  await rt.app.listen({ port: 0, host: '127.0.0.1' });
  port = (rt.app.server.address() as { port: number }).port;
});
afterEach(async () => {
  await rt.close();
});

/** Opens a socket, writes `head`, then one byte of `drip` every `everyMs`; resolves when the server closes it. */
function slowClient(head: string, drip: string, everyMs: number): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      if (head) socket.write(head);
      timer = setInterval(() => {
        if (i < drip.length && socket.writable) socket.write(drip[i++]!);
      }, everyMs);
    });
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined); // a reset is also a close
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - t0, answer });
    });
    // The drip alone would take far longer than this; the server must have closed by then.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${Math.round(performance.now() - t0)} ms; got ${JSON.stringify(answer)}`));
    }, 5000).unref();
  });
}

describe('request deadlines', () => {
  it('a client dripping its headers a byte every 200 ms is cut off with 408 within the headers deadline', async () => {
    const headers = `POST /feishu/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`;
    const r = await slowClient('', headers, 200);
    expect(r.ms).toBeLessThan(2500);
    expect(r.answer === '' || r.answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a client that sends its headers and then drips a small body is cut off with 408 within the request deadline', async () => {
    const body = JSON.stringify({ encrypt: 'x'.repeat(100) });
    const head = `POST /dingtalk/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await slowClient(head, body, 150);
    expect(r.ms).toBeLessThan(2500);
    expect(r.answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a connection that sends nothing at all is closed too, and a prompt request is still answered', async () => {
    const idle = await slowClient('', '', 1000);
    expect(idle.ms).toBeLessThan(2500);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });
});
