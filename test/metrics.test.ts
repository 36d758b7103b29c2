import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.ts';
import { FakeClock } from '../src/domain/clock.ts';
import { createRuntime } from '../src/runtime.ts';

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('/metrics', () => {
  it('counters move after a flow in the sandbox', async () => {
    const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
    const rt = await createRuntime(parseConfig({ database: { file: ':memory:' }, log: { level: 'silent' } }), { clock, log: pino({ level: 'silent' }) });
    try {
      const before = (await rt.app.inject({ url: '/metrics' })).body;
      expect(before).toContain('groupflow_outbox_pending 0');
      const post = (userId: string, text: string) =>
        rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', payload: { chatId: 'sandbox:g1', userId, text } });
      expect((await post('sandbox:zhangsan', '/反馈 @李四 接口文档？ 紧急')).statusCode).toBeLessThan(300);
      expect((await post('sandbox:lisi', '/回复 #1 明天给')).statusCode).toBeLessThan(300);
      await rt.dispatcher.drain();
      clock.advance(3 * 3600_000);
      await post('sandbox:zhangsan', '/反馈 @王五 测试账号？ 紧急');
      clock.advance(3 * 3600_000);
      rt.scheduler.tick();
      await rt.dispatcher.drain();
      const text = (await rt.app.inject({ url: '/metrics' })).body;
      expect(metric(text, 'groupflow_command_duration_seconds_count', 'kind="message"')).toBe(3);
      expect(metric(text, 'groupflow_outbox_sent_total', 'platform="sandbox"')).toBeGreaterThanOrEqual(5);
      expect(metric(text, 'groupflow_reminders_fired_total', 'rule="ping"') + metric(text, 'groupflow_reminders_fired_total', 'rule="headsup"')).toBeGreaterThan(0);
      expect(text).toContain('groupflow_outbox_pending 0');
      expect(text).toContain('groupflow_process_resident_memory_bytes');
    } finally {
      await rt.close();
    }
  });
});
