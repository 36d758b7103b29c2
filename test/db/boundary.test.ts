// The data layer's boundary: every query of the product lives in src/db/. Outside it no module
// writes SQL, imports the drizzle schema or drizzle-orm, or reaches for the raw connection; and
// the platform adapters get what they need through the port in src/platforms/platform.ts, never
// by importing the runtime that wires them.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const sources = files(src).map((f) => ({ path: relative(root, f).replaceAll('\\', '/'), text: readFileSync(f, 'utf8') }));
const outsideDb = sources.filter((s) => !s.path.startsWith('src/db/'));

/** String literals and templates that read as SQL statements. */
const SQL = /['"`]\s*(?:select\s+[\w*(]|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|create\s+(?:table|index)\s|with\s+\w+\s+as\s*\(|pragma\s)/i;

const offenders = (test: (line: string) => boolean) =>
  outsideDb.flatMap((s) =>
    s.text
      .split('\n')
      .map((line, i) => ({ line, at: `${s.path}:${i + 1}` }))
      .filter(({ line }) => !/^\s*(\/\/|\*)/.test(line) && test(line))
      .map(({ at, line }) => `${at}  ${line.trim().slice(0, 100)}`),
  );

describe('the data layer boundary', () => {
  it('finds the product sources', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.some((s) => s.path === 'src/db/repo.ts')).toBe(true);
  });

  it('no SQL outside src/db/', () => {
    expect(offenders((l) => SQL.test(l))).toEqual([]);
  });

  it('no drizzle schema, drizzle-orm or raw connection outside src/db/', () => {
    expect(offenders((l) => /from\s+['"][^'"]*db\/schema(\.ts)?['"]/.test(l) || /from\s+['"]drizzle-orm/.test(l))).toEqual([]);
    expect(offenders((l) => /\$client\b|\.prepare\(|\.rawStatement\(|repo\.statement\(/.test(l))).toEqual([]);
  });

  it('no platform module imports the runtime', () => {
    const bad = sources.filter((s) => s.path.startsWith('src/platforms/') && /from\s+['"][./]*\/?runtime(\.ts)?['"]/.test(s.text)).map((s) => s.path);
    expect(bad).toEqual([]);
  });

  it('the check itself catches what it forbids', () => {
    expect(SQL.test("const q = 'select id from items where chat_id = ?'")).toBe(true);
    expect(SQL.test('`update outbox set status = ?`')).toBe(true);
    expect(SQL.test("label: '请选择 select'")).toBe(false);
  });
});
