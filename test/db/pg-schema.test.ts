// The PostgreSQL schema mirrors the SQLite one (every table, column, key and index, by name), and
// its committed migrations are what drizzle-kit generates from it.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/connection.ts';
import { PG_MIGRATIONS_DIR } from '../../src/db/postgres.ts';
import * as pg from '../../src/db/schema.pg.ts';
import * as sqlite from '../../src/db/schema.ts';

type Shape = Record<string, { columns: string[]; notNull: string[]; primary: string[]; indexes: string[]; foreignKeys: number }>;

function shapeOf(tables: Array<ReturnType<typeof pgConfig> | ReturnType<typeof sqliteConfig>>): Shape {
  const out: Shape = {};
  for (const t of tables) {
    const pk = t.primaryKeys.flatMap((k) => k.columns.map((c) => c.name));
    out[t.name] = {
      columns: t.columns.map((c) => c.name).sort(),
      notNull: t.columns.filter((c) => c.notNull).map((c) => c.name).sort(),
      primary: [...t.columns.filter((c) => c.primary).map((c) => c.name), ...pk].sort(),
      indexes: t.indexes.map((i) => String(i.config.name)).sort(),
      foreignKeys: t.foreignKeys.length,
    };
  }
  return out;
}

describe('the PostgreSQL schema', () => {
  it('has every table, column, key and index of the SQLite schema, and nothing else', () => {
    const pgTables = (Object.values(pg) as unknown[]).filter((v): v is PgTable => v instanceof PgTable).map((t) => pgConfig(t));
    const sqliteTables = (Object.values(sqlite) as unknown[]).filter((v): v is SQLiteTable => v instanceof SQLiteTable).map((t) => sqliteConfig(t));
    expect(sqliteTables.length).toBeGreaterThan(15);
    expect(shapeOf(pgTables)).toEqual(shapeOf(sqliteTables));
  });

  it('and its committed migrations agree (generating again yields nothing new)', () => {
    const root = join(MIGRATIONS_DIR, '..');
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const out = mkdtempSync(join(root, '.tmp', 'pgmig-'));
    try {
      cpSync(PG_MIGRATIONS_DIR, out, { recursive: true });
      const before = readdirSync(out).sort();
      const log = execFileSync(
        join(root, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'postgresql', '--schema', './src/db/schema.pg.ts', '--out', relative(root, out)],
        { cwd: root, encoding: 'utf8' },
      );
      expect(log).toContain('No schema changes');
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
