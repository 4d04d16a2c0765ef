/** Go's url.QueryEscape, as the External Secrets template's `urlquery` applies it. */
function goQueryEscape(value: string): string {
  return Array.from(Buffer.from(value, 'utf8')).map((b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) {
      return c;
    }
    return b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/**
 * Renders an ExternalSecret template (engine v2) the way External Secrets Operator does, for the fields and the
 * functions the library's templates use (`urlquery`, `replace "+" "%20"`); any other function fails the test.
 */
export function renderEsoTemplate(template: string, fields: Record<string, string>): string {
  return template.replace(/\{\{ \.(\w+)((?: \| [^}]+)?) \}\}/g, (_, field: string, pipes: string) => {
    let value = fields[field];
    for (const fn of pipes.split(' | ').filter(Boolean)) {
      if (fn === 'urlquery') {
        value = goQueryEscape(value);
      } else if (fn === 'replace "+" "%20"') {
        value = value.split('+').join('%20');
      } else {
        throw new Error(`unexpected template function ${fn}`);
      }
    }
    return value;
  });
}
