/**
 * The layout rules of src/ (docs: README's "Repository layout"): the layers import only downwards, src/private knows no
 * public construct, an index file only re-exports, and no module grows past about 450 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const SRC = join(__dirname, '..', 'src');

/**
 * The areas of src/, lowest first: an area may import from areas of a lower rank only (and from itself).
 * The five resource modules sit side by side on one rank and do not import each other.
 */
const AREA_RANK: Record<string, number> = {
  private: 0,
  networking: 1,
  secrets: 1,
  storage: 1,
  rds: 1,
  eks: 1,
  supabase: 2,
  index: 3,
};

/**
 * Inside src/supabase, which folders each part may import from (besides itself, src/supabase/private's helpers where
 * listed, and the lower areas). Only the composition (files directly in src/supabase) puts the parts together.
 */
const SUPABASE_MAY_IMPORT: Record<string, string[]> = {
  'cache': [],
  'workloads': ['cache', 'private'],
  'edge': ['private'],
  'observability': ['private'],
  'smoke-test': [],
  // The composition's own helpers (its validation and outputs read its props); the parts use only its ports.
  'private': [''],
};

const MAX_LINES = 450;

export interface Module {
  readonly file: string; // relative to the repository root, with '/'
  readonly text: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function readModules(): Module[] {
  return walk(SRC).map((path) => ({
    file: relative(join(SRC, '..'), path).split(sep).join('/'),
    text: readFileSync(path, 'utf8'),
  }));
}

/** The relative imports of a module, resolved to paths relative to the repository root (without extension). */
function importsOf(module: Module): string[] {
  const specifiers = [...module.text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'(\.[^']*)'/g)].map((m) => m[1]);
  return specifiers.map((specifier) => normalize(join(dirname(module.file), specifier)).split(sep).join('/'));
}

/** The area of a file: its first folder under src/, or 'index' for src/index.ts, which stands above them all. */
function areaOf(file: string): string {
  const parts = file.split('/');
  const first = parts[1].replace(/\.ts$/, '');
  return parts.length > 2 || first !== 'index' ? first : 'index';
}

/** The part of src/supabase a file belongs to: its first folder, or '' for the composition's own files. */
function supabasePartOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 3 ? parts[2] : '';
}

/** Every broken rule, one line each. */
export function violations(modules: Module[]): string[] {
  const found: string[] = [];
  for (const module of modules) {
    const area = areaOf(module.file);
    for (const target of importsOf(module)) {
      if (!target.startsWith('src/')) continue;
      const targetArea = areaOf(target);
      if (targetArea !== area && !(AREA_RANK[targetArea] < AREA_RANK[area])) {
        found.push(`${module.file} imports ${target}: ${area} may not import from ${targetArea}`);
      }
      if (area === 'supabase' && targetArea === 'supabase') {
        const part = supabasePartOf(module.file);
        const targetPart = supabasePartOf(target);
        if (part !== '' && targetPart !== part && !(SUPABASE_MAY_IMPORT[part] ?? []).includes(targetPart)) {
          found.push(`${module.file} imports ${target}: src/supabase/${part} may not import from src/supabase/${targetPart || '(composition)'}`);
        }
      }
    }
    if (module.file.endsWith('/index.ts')) {
      const statements = module.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').split(';').map((s) => s.trim()).filter(Boolean);
      const other = statements.filter((s) => !/^export\s+(\*|\{[^}]*\}|type\s+\{[^}]*\})\s+from\s+'[^']+'$/.test(s));
      if (other.length > 0) found.push(`${module.file} does more than re-export: ${other[0].slice(0, 60)}`);
    }
    const lines = module.text.split('\n').length;
    if (lines > MAX_LINES) {
      found.push(`${module.file} has ${lines} lines (more than ${MAX_LINES}): split it`);
    }
  }
  return found;
}

test('src/ keeps its layout rules', () => {
  expect(violations(readModules())).toEqual([]);
});

test('the rules catch what they are about (control)', () => {
  const long = Array.from({ length: MAX_LINES + 1 }, () => 'const x = 1;').join('\n');
  expect(violations([
    { file: 'src/private/helper.ts', text: "import { SupabaseCluster } from '../eks/supabase-cluster';" },
    { file: 'src/rds/x.ts', text: "import { SupabaseOnAws } from '../supabase/supabase-on-aws';" },
    { file: 'src/rds/y.ts', text: "import { SupabaseCluster } from '../eks/supabase-cluster';" },
    { file: 'src/supabase/edge/e.ts', text: "import { SupabaseWorkloads } from '../workloads/supabase-workloads';" },
    { file: 'src/supabase/cache/c.ts', text: "import { x } from '../supabase-on-aws';" },
    { file: 'src/eks/index.ts', text: "export * from './a';\nconst y = 2;" },
    { file: 'src/eks/long.ts', text: long },
  ])).toEqual([
    expect.stringContaining('src/private/helper.ts imports src/eks/supabase-cluster: private may not import from eks'),
    expect.stringContaining('src/rds/x.ts imports src/supabase/supabase-on-aws: rds may not import from supabase'),
    expect.stringContaining('src/rds/y.ts imports src/eks/supabase-cluster: rds may not import from eks'),
    expect.stringContaining('src/supabase/edge may not import from src/supabase/workloads'),
    expect.stringContaining('src/supabase/cache may not import from src/supabase/(composition)'),
    expect.stringContaining('src/eks/index.ts does more than re-export'),
    expect.stringContaining(`src/eks/long.ts has ${MAX_LINES + 1} lines`),
  ]);
  expect(violations([
    { file: 'src/supabase/workloads/w.ts', text: "import { Cache } from '../cache/cache';\nimport { SupabaseCluster } from '../../eks/supabase-cluster';" },
    { file: 'src/supabase/supabase-on-aws.ts', text: "import { SupabaseWorkloads } from './workloads/supabase-workloads';" },
  ])).toEqual([]);
});
