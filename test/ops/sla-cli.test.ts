// `npm run sla -- --since …` over a database seeded through the real engine: the same table as
// /周报 and the SLA sheet, aligned for a terminal.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase, runMigrations } from '../../src/db/connection.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'gf-sla-'));

describe('npm run sla', () => {
  it('prints met, breached, median and P90 per person, type, chat and week', async () => {
    const file = join(dir, 'bot.db');
    const db = openDatabase(file);
    runMigrations(db);
    const c = new Conversation('2026-11-23T10:00:00+08:00', {}, db);
    c.repo.ensureChat(CHAT, 'sandbox', '联调群');
    await c.say(A, '/反馈 @李四 接口文档？'); // due Tue 18:00
    await c.say(A, '/反馈 @王五 测试环境？'); // due Tue 18:00
    c.clock.set('2026-11-23T13:00:00+08:00');
    await c.say(B, '/回复 #1 周三'); // 3 wh, met
    c.clock.set('2026-11-25T10:00:00+08:00');
    await c.say(C, '/回复 #2 test.example.com'); // 8 + 9 + 1 = 18 wh, breached
    db.$client.close();
    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify({ database: { file } }));

    const r = await run('npx', ['tsx', 'src/ops/sla-cli.ts', '--since', '2026-11-01', '--until', '2026-12-01'], { env: { ...process.env, BOT_CONFIG: config } });
    const lines = r.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines[0]).toContain('SLA 达标 2026-11-01 00:00 周日 → 2026-12-01 00:00 周二');
    expect(lines).toEqual(
      expect.arrayContaining([
        '维度 对象 按时 超时 达标率 中位(小时) P90(小时) 计时',
        '合计 合计 1 1 50% 10.5 18 工作时间',
        '按人 李四 1 0 100% 3 3 工作时间',
        '按人 王五 0 1 0% 18 18 工作时间',
        '按类型 反馈 1 1 50% 10.5 18 工作时间',
        '按群 联调群 1 1 50% 10.5 18 工作时间',
        '按周 2026-W48 1 1 50% 10.5 18 工作时间',
      ]),
    );
  });

  it('refuses a missing or malformed --since with the usage line', async () => {
    const r = await run('npx', ['tsx', 'src/ops/sla-cli.ts', '--since', '11/01']).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toContain('npm run sla -- --since YYYY-MM-DD');
  });
});
