import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/catalog.ts';
import { commandTable } from '../scripts/command-table.ts';

const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');

describe('README', () => {
  it('carries the two commands a newcomer needs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('carries the command table generated from the catalog (npx tsx scripts/command-table.ts)', () => {
    expect(readme).toContain(commandTable());
    expect(COMMANDS.length).toBeGreaterThanOrEqual(23);
  });

  it('documents the public interface: routes and config keys', () => {
    for (const s of ['POST /feishu/events', 'POST /feishu/card', '/dingtalk/events', '/dingtalk/card', '/healthz', '/readyz', '/metrics', '/sandbox']) {
      expect(readme).toContain(s);
    }
    for (const k of ['server.host', 'server.port', 'database.file', 'calendar.timezone', 'clocks.ordinary', 'clocks.urgent', 'platforms.sandbox.enabled']) {
      expect(readme).toContain(k);
    }
  });

  it('stays short enough for a newcomer to read (the details live in docs/)', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(340);
  });

  it('.ci/run calls exactly the README test command', () => {
    expect(readFileSync(join(__dirname, '../.ci/run'), 'utf8')).toMatch(/^npm ci && npm test$/m);
  });
});
