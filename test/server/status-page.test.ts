import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ICON_HREF, statusPageHtml } from '../../src/server/status-page.ts';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';

let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

describe('what a browser sees at the bot address', () => {
  it('shows a one-line status page at / when the sandbox is off, not a 404', async () => {
    rt = await testRuntime({ config: { platforms: { sandbox: { enabled: false } } } });
    const res = await rt.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('协作助手 Groupflow 运行中');
    expect(res.body).toContain('Groupflow is running');
    expect(res.body.match(/<p>/g)).toHaveLength(1);
    expect(res.body).toContain(`<link rel="icon" href="${ICON_HREF}">`);
  });

  it('names the enabled platforms and their modes, escaped', () => {
    const html = statusPageHtml({ platforms: ['飞书 Feishu webhook', '<b>钉钉</b>'] });
    expect(html).toContain('已启用平台：飞书 Feishu webhook、&lt;b&gt;钉钉&lt;/b&gt;');
    expect(html).not.toContain('<b>');
  });

  it('keeps / leading to the sandbox when the sandbox is on', async () => {
    rt = await testRuntime();
    const res = await rt.app.inject({ url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/sandbox');
  });

  it('answers /favicon.ico without a 404, and both pages declare an inline icon so browsers need not ask', async () => {
    rt = await testRuntime();
    const fav = await rt.app.inject({ url: '/favicon.ico' });
    expect(fav.statusCode).toBe(204);
    const page = await rt.app.inject({ url: '/sandbox' });
    expect(page.body).toContain(`<link rel="icon" href="${ICON_HREF}">`);
    // the page file carries the same icon literally (it is static HTML)
    expect(readFileSync(new URL('../../src/platforms/sandbox/page.html', import.meta.url), 'utf8')).toContain(ICON_HREF);
  });
});
