// The operators' commands on PostgreSQL: npm run migrate applies migrations/pg once, npm run
// backup writes a pg_dump archive that pg_restore reads back into an empty database, and
// npm run doctor says whether the server answers.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConfigured, testPostgresUrl, testSchemaName } from '../../src/db/connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'gf-pgops-'));
// Only the database from the environment; nothing of a developer's own bot.config.json.
writeFileSync(join(dir, 'bot.config.json'), '{}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = testPostgresUrl()!;

/** A URL whose search path is a fresh schema (created here: search_path only names it). */
function schemaUrl(): { url: string; schema: string } {
  const schema = testSchemaName();
  openConfigured({ file: '', url: server, schema }).pg!.close();
  return { schema, url: `${server}${server.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` };
}

const run = (script: string, url: string, args: string[] = []) =>
  execFileSync('npx', ['tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, GROUPFLOW_DB_URL: url, BOT_CONFIG: join(dir, 'bot.config.json') } });

describe('operations on PostgreSQL', () => {
  it('npm run migrate applies the migrations, and a second run finds nothing to do', () => {
    const { url, schema } = schemaUrl();
    expect(run('src/db/migrate-cli.ts', url)).toContain('migrations applied to postgres://');
    const db = openConfigured({ file: '', url: server, schema });
    const tables = () => (db.$client.prepare(`select count(*) as n from information_schema.tables where table_schema = ?`).get(schema) as { n: number }).n;
    const n = tables();
    expect(n).toBeGreaterThan(15);
    run('src/db/migrate-cli.ts', url);
    expect(tables()).toBe(n);
    expect((db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n).toBe(1);
    db.pg!.close();
  });

  it('npm run backup writes a pg_dump archive that restores into an empty database', () => {
    // pg_dump takes a whole database: this one gets its own (the shared one holds every test's schemas).
    const admin = openConfigured({ file: '', url: server });
    const names = [`gf_test_backup_${process.pid}`, `gf_test_restore_${process.pid}`];
    const urlOf = (db: string) => Object.assign(new URL(server), { pathname: `/${db}` }).toString();
    for (const db of names) {
      admin.$client.exec(`drop database if exists ${db} with (force)`);
      admin.$client.exec(`create database ${db}`);
    }
    try {
      const source = urlOf(names[0]!);
      run('src/db/migrate-cli.ts', source);
      const db = openConfigured({ file: '', url: source });
      db.$client.prepare(`insert into settings (key, value) values ('backup_probe', 'kept')`).run();
      db.pg!.close();
      const file = join(dir, 'gf.dump');
      expect(run('src/ops/backup-cli.ts', source, [file])).toContain('backup written');
      expect(existsSync(file)).toBe(true);
      const listing = execFileSync('pg_restore', ['--list', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(listing).toMatch(/TABLE DATA .*settings/);
      execFileSync('pg_restore', ['--no-owner', `--dbname=${urlOf(names[1]!)}`, file]);
      const restored = openConfigured({ file: '', url: urlOf(names[1]!) });
      expect(restored.$client.prepare(`select value from settings where key = 'backup_probe'`).get()).toEqual({ value: 'kept' });
      expect((restored.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n).toBe(1);
      restored.pg!.close();
    } finally {
      for (const db of names) admin.$client.exec(`drop database if exists ${db} with (force)`);
      admin.pg!.close();
    }
  });

  it('npm run doctor checks the server, and names it without the password', () => {
    const { url } = schemaUrl();
    run('src/db/migrate-cli.ts', url);
    let out = '';
    try {
      out = run('src/ops/doctor-cli.ts', url);
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? ''); // other checks (platforms) may fail
    }
    expect(out).toMatch(/可连接，迁移已全部应用/);
    const secret = new URL(server).password;
    if (secret) expect(out).not.toContain(secret);
  });
});
