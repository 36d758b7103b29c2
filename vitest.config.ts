// Two projects: every test on SQLite, and the contract suite (the data layer, the engine, the
// scheduler and the multi-instance tests) again on PostgreSQL, each test file in schemas of its
// own. The PostgreSQL project runs when a server answers at GROUPFLOW_TEST_PG (default: the local
// one, as .ci/run starts it); without one it is left out with a notice, unless
// GROUPFLOW_REQUIRE_PG=1 (CI), where a missing server fails the run.

import pg from 'pg';
import { defineConfig } from 'vitest/config';

const PG_URL = process.env.GROUPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The tests that run on both backends. */
const CONTRACT = ['test/db/**/*.test.ts', 'test/engine/**/*.test.ts', 'test/scheduler/**/*.test.ts', 'test/export/**/*.test.ts', 'test/ha/**/*.test.ts'];
/** Tests of SQLite itself (its files, WAL, backup API), or that open a SQLite file on purpose. */
const SQLITE_ONLY = [
  'test/db/boundary.test.ts',
  'test/db/checkpoint.test.ts',
  'test/db/migrations.test.ts',
  'test/db/pg-schema.test.ts',
  'test/db/*.migration.test.ts',
  'test/engine/inbound.test.ts',
  'test/engine/inbound-fastpath.test.ts',
  'test/scheduler/batch.test.ts',
];
/** Tests that need PostgreSQL and only make sense there. */
const POSTGRES_ONLY = ['test/ha/**/*.test.ts'];

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default defineConfig(async () => {
  const withPg = await postgresAnswers(PG_URL);
  if (!withPg && process.env.GROUPFLOW_REQUIRE_PG === '1') throw new Error(`GROUPFLOW_REQUIRE_PG=1 but no PostgreSQL answers at ${PG_URL}`);
  if (!withPg) console.warn(`PostgreSQL tests left out: no server at ${PG_URL} (set GROUPFLOW_TEST_PG, see docs/development.md)`);
  const shared = { env: { TZ: 'UTC' }, testTimeout: 30_000, hookTimeout: 60_000 };
  return {
    test: {
      projects: [
        { test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts'], exclude: POSTGRES_ONLY } },
        ...(withPg
          ? [
              {
                test: {
                  ...shared,
                  name: 'postgres',
                  include: CONTRACT,
                  exclude: SQLITE_ONLY,
                  env: { ...shared.env, GROUPFLOW_TEST_PG_URL: PG_URL },
                  globalSetup: ['test/helpers/postgres.setup.ts'],
                  setupFiles: ['test/helpers/postgres.file.ts'],
                },
              },
            ]
          : []),
      ],
    },
  };
});
