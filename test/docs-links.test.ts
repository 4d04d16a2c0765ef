/**
 * Every relative link of the README, the docs pages and the examples' READMEs points at a file that exists, and
 * every `#anchor` at a heading of its page, named by GitHub's rules for heading ids.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');

/** The Markdown files whose links are checked. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  const examples = readdirSync(join(ROOT, 'examples'))
    .map((d) => join(ROOT, 'examples', d, 'README.md'))
    .filter((f) => existsSync(f));
  return [join(ROOT, 'README.md'), ...docs, ...examples];
}

/** The text outside fenced code blocks, line by line (code lines blanked, so that line numbers stay). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(text: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** The targets of the inline links and images of a page, outside code, with their line numbers. */
function links(text: string): { line: number; target: string }[] {
  // Code spans are blanked but keep their line breaks; a link's text may run over a line break.
  const prose = proseLines(text).join('\n').replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, ' '));
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
    line: prose.slice(0, m.index! + m[0].indexOf('](')).split('\n').length,
    target: m[1],
  }));
}

/** What is wrong with the relative links of `file`, whose text is `text` (read from disk when not given). */
function brokenLinks(file: string, text = readFileSync(file, 'utf8')): string[] {
  const problems: string[] = [];
  const where = (line: number) => `${relative(ROOT, file)}:${line}`;
  for (const { line, target } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const destination = path === '' ? file : resolve(dirname(file), path);
    if (path !== '' && !existsSync(destination)) {
      problems.push(`${where(line)}: ${target}: no such file ${relative(ROOT, destination)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (path !== '' && (!destination.endsWith('.md') || statSync(destination).isDirectory())) {
      problems.push(`${where(line)}: ${target}: an anchor into a file that is not a Markdown page`);
      continue;
    }
    const ids = headingIds(path === '' ? text : readFileSync(destination, 'utf8'));
    if (!ids.has(anchor)) {
      problems.push(`${where(line)}: ${target}: no heading with the id '${anchor}' in ${relative(ROOT, destination)}`);
    }
  }
  return problems;
}

const FILES = markdownFiles();

test('the README, every docs page and every example README are checked', () => {
  const names = FILES.map((f) => relative(ROOT, f));
  expect(names).toEqual(expect.arrayContaining([
    'README.md',
    'docs/database.md',
    'docs/disaster-recovery.md',
    'examples/ireland-prod/README.md',
    'examples/frankfurt-dr/README.md',
  ]));
});

test.each(FILES.map((f) => [relative(ROOT, f), f]))('%s: every relative link and anchor resolves', (_name, file) => {
  expect(brokenLinks(file)).toEqual([]);
});

test('the README links to every docs page', () => {
  const readme = links(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]);
  const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  expect(pages.filter((p) => !readme.includes(p))).toEqual([]);
});

describe('the check itself', () => {
  const file = join(ROOT, 'docs', 'control.md');

  test('reports a missing file, a missing anchor and an anchor into a missing heading of another page', () => {
    const text = [
      '# Control',
      '## Upgrade notes: `v2` (and more)',
      'See [a page](no-such-page.md), [a section](#no-such-section),',
      '[the runbook](disaster-recovery.md#no-such-step) and [the',
      'README](../README.md#no-such-heading).',
    ].join('\n');
    expect(brokenLinks(file, text)).toEqual([
      'docs/control.md:3: no-such-page.md: no such file docs/no-such-page.md',
      'docs/control.md:3: #no-such-section: no heading with the id \'no-such-section\' in docs/control.md',
      'docs/control.md:4: disaster-recovery.md#no-such-step: no heading with the id \'no-such-step\' in docs/disaster-recovery.md',
      'docs/control.md:5: ../README.md#no-such-heading: no heading with the id \'no-such-heading\' in README.md',
    ]);
  });

  test('accepts good links, and ignores code and external links', () => {
    const text = [
      '# Control',
      '## Upgrade notes: `v2` (and more)',
      '## Upgrade notes: `v2` (and more)',
      'See [notes](#upgrade-notes-v2-and-more), [again](#upgrade-notes-v2-and-more-1),',
      '[the runbook](disaster-recovery.md#failover-runbook), [prod](../examples/ireland-prod) and',
      '[Supabase](https://supabase.com); `[not a link](nowhere.md)`.',
      '```md',
      '[not a link either](nowhere.md)',
      '# not a heading',
      '```',
    ].join('\n');
    expect(brokenLinks(file, text)).toEqual([]);
    expect(headingIds(text).has('not-a-heading')).toBe(false);
  });

  test('names headings as GitHub does', () => {
    expect([...headingIds([
      '## After deploying: the smoke test',
      '## First deployment (order matters)',
      '### Each step\'s permissions',
      '### Cache: ElastiCache (Valkey or Redis OSS)',
      '## `SupabaseOnAws`',
    ].join('\n'))]).toEqual([
      'after-deploying-the-smoke-test',
      'first-deployment-order-matters',
      'each-steps-permissions',
      'cache-elasticache-valkey-or-redis-oss',
      'supabaseonaws',
    ]);
  });
});
