// Every link in the documentation is relative and resolves: to a file of this repository and,
// with a #fragment, to a heading of that file (GitHub's anchor rules).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');

function docs(): string[] {
  const out = ['README.md', 'bench/README.md'];
  const dir = join(ROOT, 'docs');
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.md')) out.push(`docs/${f}`);
  return out.filter((f) => existsSync(join(ROOT, f)));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Markdown links outside code: [text](target). */
function links(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const plain = line.replace(/`[^`]*`/g, '');
    for (const m of plain.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push(m[1]!);
  }
  return out;
}

describe('documentation links', () => {
  const files = docs();

  it('finds the documents', () => {
    for (const f of ['README.md', 'bench/README.md', 'docs/feishu.md', 'docs/dingtalk.md', 'docs/operations.md', 'docs/scheduler.md', 'docs/limits.md']) {
      expect(files).toContain(f);
    }
  });

  for (const file of files) {
    it(`${file}: every link is relative and resolves`, () => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const broken: string[] = [];
      for (const link of links(text)) {
        if (/^(https?:|mailto:)/.test(link)) continue;
        if (link.startsWith('/')) {
          broken.push(`${link} (absolute)`);
          continue;
        }
        const [path, fragment] = link.split('#') as [string, string | undefined];
        const target = path ? join(ROOT, dirname(file), decodeURI(path)) : join(ROOT, file);
        if (!target.startsWith(ROOT + '/') || !existsSync(target)) {
          broken.push(`${link} (no such file ${relative(ROOT, target)})`);
          continue;
        }
        if (fragment && target.endsWith('.md') && statSync(target).isFile() && !anchors(readFileSync(target, 'utf8')).has(decodeURIComponent(fragment))) {
          broken.push(`${link} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('computes anchors the way GitHub does', () => {
    const a = anchors('# 协作助手 Groupflow\n## Quick start / 快速开始\n## Tests\n## Tests\n```\n# not a heading\n```\n### `npm run doctor` checks');
    expect([...a]).toEqual(['协作助手-groupflow', 'quick-start--快速开始', 'tests', 'tests-1', 'npm-run-doctor-checks']);
  });
});
