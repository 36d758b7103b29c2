// The PostgreSQL project's global setup: names this run (its test files put the run's id in
// their schema names, gf_test_<run>_…), drops the schemas of runs whose process has gone (a run
// killed midway leaves them), and at the end its own. Another run on the same server at the
// same time keeps its schemas.

import pg from 'pg';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function dropSchemas(url: string, which: (run: number) => boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 'gf_test_%'`);
    for (const { name } of rows) {
      const run = Number(/^gf_test_(\d+)_/.exec(name)?.[1] ?? 0);
      if (which(run)) await client.query(`drop schema if exists "${name}" cascade`);
    }
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.GROUPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = process.pid;
  // Read by the test workers, which start after this.
  process.env.GROUPFLOW_TEST_RUN = String(run);
  await dropSchemas(url, (r) => r !== run && (r === 0 || !alive(r)));
  return () => dropSchemas(url, (r) => r === run);
}
