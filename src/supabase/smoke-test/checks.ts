import * as http from 'node:http';
import * as https from 'node:https';

/** What a service answered. */
export interface SmokeResponse {
  readonly status: number;
  readonly body: string;
  readonly location?: string;
}

/** One request through the public URL, and how to judge its answer. */
export interface SmokeCheck {
  readonly service: string;
  readonly path: string;
  /** Headers besides the API key (`apikey`), which every check sends. */
  readonly headers: Record<string, string>;
  /** Undefined when the answer shows the service healthy; otherwise what is wrong with it. */
  readonly judge: (response: SmokeResponse) => string | undefined;
}

export interface SmokeResult {
  readonly service: string;
  readonly path: string;
  readonly passed: boolean;
  /** The status and time on success, what went wrong on failure; never the key. */
  readonly detail: string;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const expectStatus = (response: SmokeResponse, status: number) => (response.status === status ? undefined
  : `expected HTTP ${status}, got ${response.status}`);

/**
 * The checks, one per service, through the gateway as a client library would call it with the anon key:
 * - Auth: GoTrue's `/health` answers its name and version.
 * - PostgREST: a query as `anon` of Storage's `buckets` table (in the exposed `storage` schema, readable by anon under
 *   row-level security), which needs the JWT secret, the database connection and Storage's migrations; it answers a
 *   JSON array (empty without policies).
 * - Storage: the Storage API's `/status` answers 200.
 * - Realtime: `/api/ping` answers `{"message":"Success"}` only when Realtime finds its tenant (`realtime-dev`, from the
 *   Host the gateway sends) in its database.
 */
export const SMOKE_CHECKS: SmokeCheck[] = [
  {
    service: 'Auth',
    path: '/auth/v1/health',
    headers: {},
    judge: (response) => expectStatus(response, 200)
      ?? (typeof (parseJson(response.body) as any)?.version === 'string' ? undefined : 'the answer is not GoTrue\'s health (no version)'),
  },
  {
    service: 'PostgREST',
    path: '/rest/v1/buckets?select=id&limit=1',
    headers: { 'Accept-Profile': 'storage' },
    judge: (response) => expectStatus(response, 200)
      ?? (Array.isArray(parseJson(response.body)) ? undefined : 'the answer is not a JSON array of rows'),
  },
  {
    service: 'Storage',
    path: '/storage/v1/status',
    headers: {},
    judge: (response) => expectStatus(response, 200),
  },
  {
    service: 'Realtime',
    path: '/realtime/v1/api/ping',
    headers: {},
    judge: (response) => expectStatus(response, 200)
      ?? ((parseJson(response.body) as any)?.message === 'Success' ? undefined : 'the answer is not Realtime\'s ping'),
  },
];

/** A JSON Web Token (header.payload.signature, each base64url; the header always starts with `{"`). */
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * Removes every secret from `text`, each replaced by `<its label>`, then any other JSON Web Token (`<jwt>`), and keeps
 * it to one line of at most `maxLength` characters (the secrets are removed before the cut, so no part of one stays).
 */
export function redact(text: string, secrets: Record<string, string | undefined>, maxLength = 160): string {
  let clean = text;
  // Longest first: a secret that contains another is replaced whole.
  const entries = Object.entries(secrets).filter((e): e is [string, string] => !!e[1]).sort((a, b) => b[1].length - a[1].length);
  for (const [label, secret] of entries) {
    clean = clean.split(secret).join(`<${label}>`);
  }
  const oneLine = clean.replace(JWT, '<jwt>').replace(/\s+/g, ' ').trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength)}...` : oneLine;
}

/** A GET of `url` that follows no redirect and gives up after `timeoutMs`. */
export function get(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<SmokeResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < 65536) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      response.on('end', () => resolve({
        status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        location: response.headers.location,
      }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Runs one check against `apiUrl`. */
export async function runCheck(apiUrl: string, anonKey: string, check: SmokeCheck, timeoutMs: number): Promise<SmokeResult> {
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}${check.path}`);
  const headers = { apikey: anonKey, Authorization: `Bearer ${anonKey}`, Accept: 'application/json', ...check.headers };
  const started = Date.now();
  const fail = (detail: string) => ({ service: check.service, path: check.path, passed: false, detail: redact(detail, { 'anon key': anonKey }) });
  let response: SmokeResponse;
  try {
    response = await get(url, headers, timeoutMs);
  } catch (error) {
    return fail(`request failed: ${(error as Error).message}`);
  }
  if (response.status >= 300 && response.status < 400) {
    return fail(`redirected (HTTP ${response.status}) to ${response.location ?? 'nowhere'}: use the ApiUrl output (https)`);
  }
  const problem = check.judge(response);
  if (problem) {
    return fail(`${problem}: ${response.body || '(empty body)'}`);
  }
  return { service: check.service, path: check.path, passed: true, detail: `HTTP ${response.status} in ${Date.now() - started} ms` };
}

/** Runs every check against the public API URL with the anon key, all at once. */
export function runSmokeTest(apiUrl: string, anonKey: string, timeoutMs: number, checks: SmokeCheck[] = SMOKE_CHECKS): Promise<SmokeResult[]> {
  if (!/^https?:\/\//.test(apiUrl)) {
    throw new Error(`The API URL must start with https:// (or http://), got '${apiUrl}'`);
  }
  return Promise.all(checks.map((check) => runCheck(apiUrl, anonKey, check, timeoutMs)));
}

/** The report: a PASS or FAIL line per service, then the count. */
export function formatReport(apiUrl: string, results: SmokeResult[]): string {
  const width = Math.max(...results.map((r) => r.service.length));
  const pathWidth = Math.max(...results.map((r) => r.path.length));
  const lines = results.map((r) => `${r.passed ? 'PASS' : 'FAIL'}  ${r.service.padEnd(width)}  GET ${r.path.padEnd(pathWidth)}  ${r.detail}`);
  const passed = results.filter((r) => r.passed).length;
  return [`Supabase smoke test of ${apiUrl}`, ...lines, `${passed} of ${results.length} checks passed.`].join('\n');
}
