// The PostgreSQL project's global setup: drops the schemas its test files made (gf_test_…),
// before the run (a run killed midway leaves them) and after it.

import pg from 'pg';

async function dropTestSchemas(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 'gf_test_%'`);
    for (const { name } of rows) await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.GROUPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await dropTestSchemas(url);
  return () => dropTestSchemas(url);
}
