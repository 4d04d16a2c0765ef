/**
 * The post-deploy smoke test against a local stand-in for a deployment's gateway: the checks' requests and verdicts,
 * the report, and the command end to end with a stand-in `aws` executable.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { SMOKE_CHECKS, formatReport, runSmokeTest } from '../../src/supabase/smoke-test/checks';
import { findSupabaseOutputs, main } from '../../src/supabase/smoke-test/cli';
import { fakeAws } from '../fake-aws-cli';

const ANON_KEY = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const json = (status: number, body: unknown): Handler => (_request, response) => {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** What a healthy deployment's gateway answers, with Kong's key check. */
function healthyRoutes(key = ANON_KEY): Record<string, Handler> {
  return {
    '/auth/v1/health': json(200, { version: 'v2.186.0', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' }),
    '/rest/v1/buckets?select=id&limit=1': (request, response) => (request.headers['accept-profile'] === 'storage'
      && request.headers.authorization === `Bearer ${key}`
      ? json(200, [])(request, response)
      : json(406, { code: 'PGRST106', message: 'The schema must be one of the following: public' })(request, response)),
    '/storage/v1/status': (_request, response) => {
      response.writeHead(200);
      response.end();
    },
    '/realtime/v1/api/ping': json(200, { message: 'Success' }),
  };
}

/** A stand-in gateway: answers `routes`, and 401 like Kong's key-auth when the apikey header is not `key`. */
async function standIn(
  routes: Record<string, Handler>, key = ANON_KEY,
): Promise<{ url: string; requests: http.IncomingHttpHeaders[]; close: () => void }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.headers);
    if (request.headers.apikey !== key) {
      return json(401, { message: 'No API key found in request' })(request, response);
    }
    const handler = routes[request.url ?? ''];
    return handler ? handler(request, response) : json(404, { message: 'no Route matched with those values' })(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('the checks', () => {
  test('one per service: Auth, PostgREST, Storage, Realtime', () => {
    expect(SMOKE_CHECKS.map((c) => c.service)).toEqual(['Auth', 'PostgREST', 'Storage', 'Realtime']);
  });

  test('a healthy deployment passes every check, each request carrying the anon key as a client library does', async () => {
    const gateway = await standIn(healthyRoutes());
    try {
      const results = await runSmokeTest(`${gateway.url}/`, ANON_KEY, 2000);
      expect(results.map((r) => [r.service, r.passed])).toEqual([['Auth', true], ['PostgREST', true], ['Storage', true], ['Realtime', true]]);
      expect(results[0].detail).toMatch(/^HTTP 200 in \d+ ms$/);
      expect(gateway.requests).toHaveLength(4);
      for (const headers of gateway.requests) {
        expect(headers).toMatchObject({ apikey: ANON_KEY, authorization: `Bearer ${ANON_KEY}` });
      }
    } finally {
      gateway.close();
    }
  });

  test.each([
    ['Auth', '/auth/v1/health', json(503, { message: 'An invalid response was received from the upstream server' }), /expected HTTP 200, got 503: .*invalid response/],
    ['Auth', '/auth/v1/health', json(200, { ok: true }), /not GoTrue's health/],
    ['PostgREST', '/rest/v1/buckets?select=id&limit=1', json(404, { code: 'PGRST205', message: 'Could not find the table' }), /got 404: .*PGRST205/],
    ['PostgREST', '/rest/v1/buckets?select=id&limit=1', json(200, { message: 'not rows' }), /not a JSON array/],
    ['Storage', '/storage/v1/status', json(502, {}), /expected HTTP 200, got 502/],
    ['Realtime', '/realtime/v1/api/ping', json(401, { message: 'Tenant not found in database' }), /got 401: .*Tenant not found/],
    ['Realtime', '/realtime/v1/api/ping', (_q: http.IncomingMessage, r: http.ServerResponse) => {
      r.writeHead(301, { Location: 'https://supabase.example.com/realtime/v1/api/ping' });
      r.end();
    }, /redirected \(HTTP 301\) to https:\/\/supabase.example.com/],
  ])('%s fails on %s answering wrongly, and only that check', async (service, path, handler, message) => {
    const gateway = await standIn({ ...healthyRoutes(), [path]: handler as Handler });
    try {
      const results = await runSmokeTest(gateway.url, ANON_KEY, 2000);
      const failed = results.filter((r) => !r.passed);
      expect(failed.map((r) => r.service)).toEqual([service]);
      expect(failed[0].detail).toMatch(message);
    } finally {
      gateway.close();
    }
  });

  test('a service that does not answer in time fails with the timeout, the others still pass', async () => {
    const gateway = await standIn({ ...healthyRoutes(), '/storage/v1/status': () => undefined });
    try {
      const results = await runSmokeTest(gateway.url, ANON_KEY, 300);
      expect(results.find((r) => r.service === 'Storage')).toMatchObject({ passed: false, detail: 'request failed: no answer within 300 ms' });
      expect(results.filter((r) => r.passed)).toHaveLength(3);
    } finally {
      gateway.close();
    }
  });

  test('an unreachable URL fails every check with the connection error', async () => {
    const gateway = await standIn(healthyRoutes());
    gateway.close();
    const results = await runSmokeTest(gateway.url, ANON_KEY, 1000);
    expect(results.every((r) => !r.passed && /request failed: .*ECONNREFUSED/.test(r.detail))).toBe(true);
  });

  test('the report never shows the key, even when a service echoes it', async () => {
    const gateway = await standIn({ ...healthyRoutes(), '/auth/v1/health': json(500, { error: `bad key ${ANON_KEY}` }) });
    try {
      const results = await runSmokeTest(gateway.url, ANON_KEY, 2000);
      const report = formatReport(gateway.url, results);
      expect(report).not.toContain(ANON_KEY);
      expect(report).toContain('bad key <anon key>');
      expect(report.split('\n')).toEqual([
        `Supabase smoke test of ${gateway.url}`,
        expect.stringMatching(/^FAIL {2}Auth {7}GET \/auth\/v1\/health {21}expected HTTP 200, got 500/),
        expect.stringMatching(/^PASS {2}PostgREST {2}GET \/rest\/v1\/buckets\?select=id&limit=1 {2}HTTP 200/),
        expect.stringMatching(/^PASS {2}Storage {4}GET \/storage\/v1\/status/),
        expect.stringMatching(/^PASS {2}Realtime {3}GET \/realtime\/v1\/api\/ping/),
        '3 of 4 checks passed.',
      ]);
    } finally {
      gateway.close();
    }
  });

  test('an API URL without a scheme is an error', () => {
    expect(() => runSmokeTest('supabase.example.com', ANON_KEY, 1000)).toThrow(/must start with https:\/\/.*got 'supabase.example.com'/);
  });
});

describe('the stack outputs', () => {
  const outputs = [
    { OutputKey: 'SupabaseApiUrl7F1A2B3C', OutputValue: 'https://supabase.example.com' },
    { OutputKey: 'SupabaseStudioUrl0A1B2C3D', OutputValue: 'https://supabase.example.com/' },
    { OutputKey: 'SupabaseApiKeysSecretArn4D5E6F70', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:supabase/api-keys-AbCdEf' },
  ];

  test('finds the API URL and the API keys\' secret by CDK\'s output names', () => {
    expect(findSupabaseOutputs('S', outputs)).toEqual({
      apiUrl: 'https://supabase.example.com',
      apiKeysSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:supabase/api-keys-AbCdEf',
    });
  });

  test('a stack without SupabaseOnAws, or with two, is an error that says which stack to pass', () => {
    expect(() => findSupabaseOutputs('SupabaseProdCore', [])).toThrow(/Stack SupabaseProdCore has no ApiUrl output: pass the stack that holds SupabaseOnAws/);
    expect(() => findSupabaseOutputs('S', [...outputs, { OutputKey: 'OtherApiUrl01234567', OutputValue: 'https://b.example.com' }]))
      .toThrow(/2 ApiUrl outputs \(SupabaseApiUrl7F1A2B3C, OtherApiUrl01234567\)/);
    expect(() => findSupabaseOutputs('S', outputs.slice(0, 1))).toThrow(/no SupabaseApiKeysSecretArn output/);
  });
});

describe('the command', () => {

  async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await main(argv, env, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  }

  test('reads the outputs and the anon key with the AWS CLI, checks every service, exits 0', async () => {
    const gateway = await standIn(healthyRoutes());
    try {
      const aws = fakeAws(gateway.url, JSON.stringify({ anonKey: ANON_KEY, serviceRoleKey: 'service-role-key' }));
      const { code, output } = await run(['--stack', 'SupabaseProdApplications'], aws.env);
      expect(output).toContain('4 of 4 checks passed.');
      expect(output).not.toContain(ANON_KEY);
      expect(code).toBe(0);
      expect(aws.calls()).toEqual([
        'cloudformation describe-stacks --stack-name SupabaseProdApplications --region eu-west-1 --output json',
        'secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf --region eu-west-1 --query SecretString --output text',
      ]);
    } finally {
      gateway.close();
    }
  });

  test('with signing keys: reads the signing keys\' secret and checks with the publishable key, never printing it', async () => {
    const publishable = 'sb_publishable_AAECAwQFBgcICQoLDA0ODx_OYGWIoEC';
    const gateway = await standIn(healthyRoutes(publishable), publishable);
    try {
      const aws = fakeAws(gateway.url, JSON.stringify({ publishableKey: publishable, secretKeys: '{"default":"sb_secret_x"}' }), undefined, true);
      const { code, output } = await run(['--stack', 'SupabaseProdApplications'], aws.env);
      expect(output).toContain('With the publishable key (the deployment has signing keys).');
      expect(output).toContain('4 of 4 checks passed.');
      expect(output).not.toContain(publishable);
      expect(code).toBe(0);
      expect(aws.calls()[1]).toContain('--secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:sk-AbCdEf ');
      expect(gateway.requests.every((h) => h.apikey === publishable)).toBe(true);
    } finally {
      gateway.close();
    }
    const noKey = await run(['--stack', 'S'], fakeAws('http://127.0.0.1:9', JSON.stringify({ anonKey: ANON_KEY }), undefined, true).env);
    expect(noKey).toEqual({ code: 2, output: expect.stringMatching(/secret:sk-AbCdEf is not JSON with a publishableKey field/) });
    const noSecretKey = await run(['--stack', 'S', '--full'],
      fakeAws('http://127.0.0.1:9', JSON.stringify({ publishableKey: 'sb_publishable_x' }), undefined, true).env);
    expect(noSecretKey.output).toMatch(/has no default secret key \(secretKeys\), which --full needs/);
  });

  test('exits 1 when a service fails', async () => {
    const gateway = await standIn({ ...healthyRoutes(), '/realtime/v1/api/ping': json(401, { message: 'Tenant not found in database' }) });
    try {
      const aws = fakeAws(gateway.url, JSON.stringify({ anonKey: ANON_KEY }));
      const { code, output } = await run(['--stack', 'S', '--region', 'eu-central-1', '--timeout', '2'], aws.env);
      expect(output).toMatch(/FAIL {2}Realtime/);
      expect(code).toBe(1);
      expect(aws.calls()[0]).toContain('--region eu-central-1');
    } finally {
      gateway.close();
    }
  });

  test('exits 2 with a clear message when it cannot run, never quoting the secret', async () => {
    const noAws = await run(['--stack', 'S'], { PATH: '/nonexistent' });
    expect(noAws).toEqual({ code: 2, output: expect.stringMatching(/The AWS CLI \(aws\) is not installed or not on the PATH/) });
    expect(await run([], {})).toEqual({ code: 2, output: expect.stringMatching(/--stack is required\nUsage: /) });
    expect(await run(['--stack', 'S', '--timeout', 'soon'], {})).toEqual({ code: 2, output: expect.stringMatching(/--timeout must be a positive number of seconds, got 'soon'/) });
    expect(await run(['--stack'], {})).toEqual({ code: 2, output: expect.stringMatching(/Unexpected argument '--stack' \(or its value is missing\)/) });
    const notJson = await run(['--stack', 'S'], fakeAws('http://127.0.0.1:9', 'not-json-but-a-secret').env);
    expect(notJson).toEqual({ code: 2, output: expect.stringMatching(/is not JSON with an anonKey field/) });
    expect(notJson.output).not.toContain('not-json-but-a-secret');
  });

  test('--help prints the usage and exits 0', async () => {
    expect(await run(['--help'], {})).toEqual({ code: 0, output: expect.stringMatching(/^Usage: supabase-on-aws-smoke-test --stack <name>/) });
  });
});
