/**
 * The programs a container's command runs, for the image contract test: the command itself, what a shell's `-c`
 * script calls (including inside `$(...)`), and what tini starts. Not a full shell parser: enough for the scripts
 * the charts write (sequences, pipes, `&&`/`||`, subshells, `if`/`for`/`until` loops, redirections, quotes,
 * assignments before a command). A command word that comes from a variable is reported as `$dynamic`.
 */

/** Shell built-ins (dash, bash and busybox ash all have them): no executable needed. */
export const SHELL_BUILTINS = new Set([':', '.', '[', 'break', 'cd', 'continue', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'kill', 'printf',
  'read', 'return', 'set', 'shift', 'test', 'trap', 'true', 'ulimit', 'umask', 'unset', 'wait', 'command']);
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time']);
const SHELLS = new Set(['sh', '/bin/sh', 'bash', '/bin/bash']);
const TINI = new Set(['tini', '/usr/bin/tini', '/sbin/tini']);
const DYNAMIC = '$dynamic';

/** The programs `argv` (a container's command and args) runs. */
export function programsOf(argv: string[]): string[] {
  if (argv.length === 0) return [];
  const [first, ...rest] = argv;
  if (TINI.has(first)) {
    const end = rest.indexOf('--');
    return [first, ...programsOf(end >= 0 ? rest.slice(end + 1) : rest.filter((a) => !a.startsWith('-')))];
  }
  if (SHELLS.has(first)) {
    const script = rest[rest.indexOf('-c') + 1];
    return rest.includes('-c') && script !== undefined ? [first, ...commandWords(script)] : [first];
  }
  return [first];
}

/** The command words of a shell script: the first word of each simple command, built-ins included. */
export function commandWords(script: string): string[] {
  const nested: string[] = [];
  const flat = flatten(script, nested);
  const words: string[] = [];
  // Redirections first, so that `2>&1` and `>&2` are not taken for `&`.
  const withoutRedirections = flat.replace(/\d*[<>]&\d+/g, ' ').replace(/\d*>>?\s*\S+|<\s*\S+/g, ' ');
  for (const segment of withoutRedirections.split(/\n|;|&&|\|\||\||&|\(|\)/)) {
    const tokens = segment.trim().split(/\s+/).filter((t) => t.length > 0);
    while (tokens.length > 0 && (KEYWORDS.has(tokens[0]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0]))) tokens.shift();
    if (tokens.length === 0 || tokens[0] === 'for' || tokens[0].startsWith('#')) continue;
    words.push(word(tokens[0]));
    // `exec cmd ...` and `command cmd ...` run cmd.
    if ((tokens[0] === 'exec' || tokens[0] === 'command') && tokens[1] !== undefined && !tokens[1].startsWith('-')) {
      words.push(word(tokens[1]));
    }
  }
  return [...words, ...nested.flatMap(commandWords)];
}

/** A word as a command: a quoted or substituted one is dynamic. */
function word(token: string): string {
  return token.includes('\u0000') || token.startsWith('$') ? DYNAMIC : token;
}

/**
 * The script with every quoted string and `$(...)` replaced by a placeholder character (so separators inside them
 * do not count); the scripts inside `$(...)` are collected into `nested`.
 */
function flatten(script: string, nested: string[]): string {
  let out = '';
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (c === '\\') {
      out += '\u0000';
      i += 2;
    } else if (c === '\'') {
      const end = script.indexOf('\'', i + 1);
      out += '\u0000';
      i = end < 0 ? script.length : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '\\') {j++;} else if (script.startsWith('$(', j)) {
          const end = closingParen(script, j + 1);
          nested.push(script.slice(j + 2, end));
          j = end;
        }
        j++;
      }
      out += '\u0000';
      i = j + 1;
    } else if (script.startsWith('$(', i)) {
      const end = closingParen(script, i + 1);
      nested.push(script.slice(i + 2, end));
      out += '\u0000';
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function closingParen(script: string, open: number): number {
  let depth = 0;
  for (let j = open; j < script.length; j++) {
    if (script[j] === '(') depth++;
    if (script[j] === ')' && --depth === 0) return j;
  }
  return script.length;
}
