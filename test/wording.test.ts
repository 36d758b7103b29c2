// The seeds' rule for every deadline: "X月X日前", never 尽快. No text the bot can send may say it,
// so no file under src/ may contain it (a comment that quotes it would hide a real one).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('bot wording', () => {
  it('never says 尽快 — every line names the time instead', () => {
    const all = files(SRC);
    expect(all.length).toBeGreaterThan(50);
    const hits = all.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, k) => (line.includes('尽快') ? [`${relative(SRC, f)}:${k + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
