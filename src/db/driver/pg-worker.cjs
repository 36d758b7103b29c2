// The PostgreSQL connections of the synchronous client (pg.ts), on a worker thread. The main
// thread posts one request at a time and waits on `flag` for the reply; this side answers every
// request with exactly one message, then bumps and notifies `flag`. Plain CommonJS, so it runs
// from src/ and from dist/ alike.
'use strict';

const { workerData } = require('node:worker_threads');
const pg = require('pg');

// Counts, ids and millisecond timestamps are bigint columns: read them as numbers, as SQLite
// gives them (every value the bot stores is far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const { port, flag } = workerData;
const done = new Int32Array(flag);

/** Each handle is one connection; its statements are prepared once, by name, on that connection. */
const handles = new Map();
let nextHandle = 1;

async function connect(h) {
  const client = new pg.Client(h.opts);
  client.on('error', () => {
    h.broken = true;
  });
  await client.connect();
  if (h.schema) await client.query(`set search_path to "${h.schema.replace(/"/g, '""')}"`);
  h.client = client;
  h.names = new Map();
  h.broken = false;
}

async function handle(m) {
  if (m.op === 'open') {
    const h = { opts: { connectionString: m.url, connectionTimeoutMillis: m.connectTimeoutMs, application_name: m.applicationName }, schema: m.schema, broken: true };
    await connect(h);
    const id = nextHandle++;
    handles.set(id, h);
    return { result: id };
  }
  const h = handles.get(m.handle);
  if (!h) return { error: { message: 'database connection closed', code: 'CLOSED' } };
  if (m.op === 'close') {
    handles.delete(m.handle);
    if (h.client) await h.client.end().catch(() => undefined);
    return { result: true };
  }
  // A connection lost between statements is opened again; one lost inside a transaction fails
  // that transaction (its BEGIN went with it), which the caller rolls back like any error.
  if (h.broken) {
    if (h.client) h.client.end().catch(() => undefined);
    await connect(h);
  }
  if (m.op === 'exec') {
    await h.client.query(m.text);
    return { result: true };
  }
  let name = h.names.get(m.text);
  if (name === undefined) h.names.set(m.text, (name = `s${h.names.size + 1}`));
  const r = await h.client.query({ name, text: m.text, values: m.values, rowMode: m.array ? 'array' : undefined });
  return { result: { rows: r.rows, rowCount: r.rowCount ?? 0 } };
}

port.on('message', (m) => {
  handle(m)
    .catch((err) => ({ error: { message: String((err && err.message) || err), code: err && err.code } }))
    .then((reply) => {
      port.postMessage({ ...reply, id: m.id });
      Atomics.add(done, 0, 1);
      Atomics.notify(done, 0);
    });
});
