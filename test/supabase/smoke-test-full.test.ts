/**
 * The smoke test's functional check (`--full`) against a local stand-in for a deployment's gateway
 * (smoke-test-full-stand-in.ts): every step's verdict, the cleanup after success and failure, the report (never a
 * secret), and the command end to end with the esbuild bundle and a stand-in `aws` executable.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { fakeAws } from '../fake-aws-cli';
import { ANON_KEY, SERVICE_KEY, StandIn, StandInOptions, startStandIn } from './smoke-test-full-stand-in';
import { main } from '../../src/supabase/smoke-test/cli';
import { FunctionalCheckConfig, FunctionalCheckOutcome, runFunctionalCheck, STEP } from '../../src/supabase/smoke-test/full/functional-check';
import {
  createStoragePoliciesSql, createTableSql, dropStoragePoliciesSql, dropTableSql, newPassword, newRunId, newUuid, runNames,
} from '../../src/supabase/smoke-test/full/names';
import { fullBundlePath, loadFullCheck } from '../../src/supabase/smoke-test/full-check';

const RUN_ID = 'testrun01';
const USER_EMAIL = `smoke-${RUN_ID}@example.com`;
const CDN = 'd111111abcdef8.cloudfront.net';
const echo = (body: unknown, userId: string) => ({ status: 200, body: { echo: body, user: userId } });

interface Run {
  readonly outcome: FunctionalCheckOutcome;
  readonly lines: string[];
  readonly output: string;
  readonly standIn: StandIn;
  /** The verdict of a step by name. */
  status(name: string): string | undefined;
  line(name: string): string;
}

/** Waits (bounded) until the stand-in has seen the check's socket close. */
async function settled(standIn: StandIn): Promise<void> {
  for (let i = 0; i < 100 && (standIn.state.sockets.size > 0 || standIn.state.members.length > 0); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs the check against a fresh stand-in with a clock that advances 5 ms per reading, and asserts on every run that
 * no secret the stand-in saw or issued (keys, password, tokens) is in the report.
 */
async function check(options: StandInOptions = {}, config: Partial<FunctionalCheckConfig> = {}): Promise<Run> {
  const standIn = await startStandIn(options);
  let clock = 1_000;
  const lines: string[] = [];
  try {
    const outcome = await runFunctionalCheck({
      apiUrl: `${standIn.url}/`, anonKey: ANON_KEY, serviceRoleKey: SERVICE_KEY, timeoutMs: 2000, schemaReloadTimeoutMs: 200, ...config,
    }, {
      runId: () => RUN_ID,
      randomBytes,
      now: () => (clock += 5),
      sleep: async () => undefined,
      fetch: globalThis.fetch,
      transport: WebSocket as any,
      print: (line) => lines.push(line),
    });
    await settled(standIn);
    const output = lines.join('\n');
    for (const secret of [ANON_KEY, SERVICE_KEY, ...standIn.secretsSeen]) {
      expect(output).not.toContain(secret);
    }
    const stepLine = (name: string) => lines.find((l) => l.slice(6).startsWith(`${name} `)) ?? '';
    return {
      outcome,
      lines,
      output,
      standIn,
      status: (name) => outcome.results.find((r) => r.name === name)?.status,
      line: stepLine,
    };
  } finally {
    await standIn.close();
  }
}

/** Every step and cleanup's status, in report order. */
const verdicts = (run: Run) => run.outcome.results.map((r) => `${r.status} ${r.name}`);

describe('the functional check, all well', () => {
  test('every step passes with a CDN and a function; everything made is removed; the report in order', async () => {
    const run = await check({ cdn: true, functions: { hello: echo } }, { distributionDomainName: CDN, functionName: 'hello', functionBody: { name: 'smoke' } });
    expect(verdicts(run)).toEqual([
      `PASS ${STEP.createUser}`, `PASS ${STEP.signIn}`, `PASS ${STEP.rest}`, `PASS ${STEP.storage}`, `PASS ${STEP.cdn}`,
      `PASS ${STEP.realtime}`, `PASS ${STEP.functions}`,
      'PASS Cleanup: private object', 'PASS Cleanup: public object', 'PASS Cleanup: private bucket', 'PASS Cleanup: public bucket',
      'PASS Cleanup: storage policies', 'PASS Cleanup: table', 'PASS Cleanup: user',
    ]);
    expect(run.outcome).toMatchObject({ runId: RUN_ID, passed: true, leftBehind: [] });
    expect(run.standIn.isClean()).toBe(true);
    expect(run.lines[0]).toBe(`Supabase functional check (--full) of ${run.standIn.url}, run ${RUN_ID}`);
    expect(run.lines).toHaveLength(1 + 14 + 1);
    expect(run.lines[15]).toMatch(/^14 passed, 0 failed, 0 skipped in \d+ ms; cleanup: 7 of 7 removed\.$/);
    // The columns: status, name padded to 30, the time right-aligned in 8, the detail; the time from the injected clock.
    expect(run.line(STEP.createUser)).toBe(`PASS  ${STEP.createUser.padEnd(30)}      5 ms  ${USER_EMAIL} (id ${[...run.outcome.results][0].detail.match(/id ([0-9a-f-]{36})/)![1]}), email confirmed, through POST /auth/v1/admin/users`);
    expect(run.line(STEP.signIn)).toMatch(/^PASS {2}Auth: sign in {17} {6}5 ms {2}password grant: a session for [0-9a-f-]{36} \(token expires in 3600 s\)$/);
    expect(run.line(STEP.rest)).toMatch(/public\.smoke_test_testrun01 \(RLS, owner = auth\.uid\(\)\) seen by PostgREST \d+ ms after the reload; the user inserted and read back its own row and did not see the service role's row for another owner \(1 of 2 rows\)$/);
    expect(run.line(STEP.storage)).toMatch(/smoke-testrun01-private \(private; policies for the user's own folder\): the user uploaded \d+ bytes to [0-9a-f-]{36}\/smoke-testrun01\.txt and downloaded them intact; with the anon key alone: refused \(HTTP 400 Object not found\)$/);
    expect(run.line(STEP.cdn)).toMatch(/GET \/storage\/v1\/object\/public\/smoke-testrun01-public\/smoke-testrun01\.txt \(no key\): HTTP 200, \d+ bytes intact, through CloudFront \(x-cache: Miss from cloudfront, via: 1\.1 0123456789abcdef\.cloudfront\.net \(CloudFront\)\)$/);
    expect(run.line(STEP.realtime)).toMatch(/realtime:smoke-testrun01 as the user: subscribed in \d+ ms, a broadcast acknowledged and received back, presence tracked \(join and sync seen\)$/);
    expect(run.line(STEP.functions)).toMatch(/POST \/functions\/v1\/hello as the user: HTTP 200$/);
    expect(run.line('Cleanup: user')).toMatch(/deleted smoke-testrun01@example\.com \(id [0-9a-f-]{36}\)$/);
    // Realtime was joined as the user: its access token, not a key.
    const userId = run.outcome.results[0].detail.match(/id ([0-9a-f-]{36})/)![1];
    expect(run.standIn.state.joins).toEqual([{ topic: 'realtime:smoke-testrun01', role: 'authenticated', sub: userId }]);
  });

  test('what the check sent: SQL from the run id only, RLS on, the reload notification, and the gateway routes', async () => {
    const run = await check();
    const names = runNames(RUN_ID);
    expect(run.standIn.sql).toEqual([createTableSql(names), createStoragePoliciesSql(names), dropStoragePoliciesSql(names), dropTableSql(names)]);
    expect(run.standIn.sql[0]).toContain('alter table public.smoke_test_testrun01 enable row level security;');
    expect(run.standIn.sql[0]).toMatch(/notify pgrst, 'reload schema';$/);
    expect(run.standIn.requests).toEqual(expect.arrayContaining([
      'POST /auth/v1/admin/users', 'POST /auth/v1/token', 'POST /pg/query', 'GET /rest/v1/smoke_test_testrun01', 'POST /rest/v1/smoke_test_testrun01',
      'POST /storage/v1/bucket', `POST /storage/v1/object/smoke-testrun01-private/${run.outcome.results[0].detail.match(/id ([0-9a-f-]{36})/)![1]}/smoke-testrun01.txt`,
      'DELETE /storage/v1/object/smoke-testrun01-private', 'DELETE /storage/v1/bucket/smoke-testrun01-private', expect.stringMatching(/^DELETE \/auth\/v1\/admin\/users\/[0-9a-f-]{36}$/),
    ]));
    // PostgREST missed the table twice after the notification; the check waited for it instead of failing.
    expect(run.standIn.requests.filter((r) => r === 'GET /rest/v1/smoke_test_testrun01').length).toBeGreaterThanOrEqual(4);
  });

  test('no CDN and no function: both SKIP with the reason, and the run passes (skips allowed)', async () => {
    const run = await check();
    expect(run.status(STEP.cdn)).toBe('SKIP');
    expect(run.line(STEP.cdn)).toBe(`SKIP  ${STEP.cdn.padEnd(30)}         -  the stack has no DistributionDomainName output (no cdn): nothing is cached by CloudFront`);
    expect(run.line(STEP.functions)).toMatch(/^SKIP {2}Functions: invoke .* no function named: add --function <name> \(and --function-body <json>\) to call a deployed Edge Function as the user$/);
    expect(run.outcome.passed).toBe(true);
    expect(run.lines.at(-1)).toMatch(/^10 passed, 0 failed, 2 skipped in \d+ ms; cleanup: 5 of 5 removed\.$/);
    expect(run.standIn.isClean()).toBe(true);
  });

  test('the function gets the JSON body and the user\'s session', async () => {
    let seen: { body: unknown; user: string } | undefined;
    const run = await check({ functions: { hello: (body, user) => { seen = { body, user }; return { status: 201, body: {} }; } } }, { functionName: 'hello', functionBody: { a: [1, 2] } });
    expect(run.line(STEP.functions)).toMatch(/HTTP 201$/);
    expect(seen).toEqual({ body: { a: [1, 2] }, user: run.outcome.results[0].detail.match(/id ([0-9a-f-]{36})/)![1] });
  });
});

describe('a failure in each step: that step FAILs with the reason, the steps that need it SKIP, and the cleanup still removes everything', () => {
  const needsUser = [STEP.signIn, STEP.rest, STEP.storage, STEP.realtime, STEP.functions];
  test.each<[string, StandInOptions, Partial<FunctionalCheckConfig>, string, RegExp, string[]]>([
    ['Auth refuses to create the user', { faults: { createUser: 500 } }, {}, STEP.createUser,
      /the Auth admin API \(POST \/auth\/v1\/admin\/users, service key\) refused smoke-testrun01@example\.com: HTTP 500 unexpected_failure Database error creating new user: .*"password":"<password>"/, needsUser],
    ['the password grant fails', { faults: { signIn: true } }, {}, STEP.signIn,
      /the password grant \(POST \/auth\/v1\/token\?grant_type=password\) failed: HTTP 400 invalid_credentials Invalid login credentials/, needsUser.slice(1)],
    ['postgres-meta refuses the table', { faults: { pgQuery: /create table/ } }, {}, STEP.rest,
      /creating public\.smoke_test_testrun01 through postgres-meta \(POST \/pg\/query\) failed: HTTP 400: ERROR: permission denied \(request headers: apikey=<service key>, authorization=Bearer <service key>\)/, []],
    ['PostgREST never reloads its schema', { faults: { schemaNeverReloads: true } }, {}, STEP.rest,
      /PostgREST did not see public\.smoke_test_testrun01 within 200 ms of NOTIFY pgrst, 'reload schema' \(\d+ tries\): HTTP 404 PGRST205 Could not find the table 'public\.smoke_test_testrun01' in the schema cache$/, []],
    ['row-level security is not in force', { faults: { rlsIgnored: true } }, {}, STEP.rest,
      /row-level security is not in force: the user read a row of another owner \(2 rows, the other owner's [0-9a-f-]{36} among them\)/, []],
    ['Storage refuses the user\'s upload', { faults: { upload: true } }, {}, STEP.storage,
      /the user could not upload smoke-testrun01-private\/[0-9a-f-]{36}\/smoke-testrun01\.txt: HTTP 403 new row violates row-level security policy \(Bearer <access token>\)/, []],
    ['the download differs', { faults: { corruptDownload: true } }, {}, STEP.storage,
      /the user downloaded \d+ bytes that differ from the \d+ it uploaded/, []],
    ['the private object is readable anonymously', { faults: { anonReadsPrivate: true } }, {}, STEP.storage,
      /the object was readable with the anon key alone: smoke-testrun01-private is not private/, []],
    ['the public object does not come through CloudFront', { cdn: true, faults: { noCdnHeaders: true } }, { distributionDomainName: CDN }, STEP.cdn,
      /did not come through CloudFront \(x-cache: none, via: none\): point the public URL's DNS name at the distribution d111111abcdef8\.cloudfront\.net/, []],
    ['Realtime refuses the join', { faults: { joinRefused: 'Tenant not found' } }, {}, STEP.realtime,
      /subscribing to realtime:smoke-testrun01: CHANNEL_ERROR: Tenant not found/, []],
    ['Realtime drops the broadcast', { faults: { broadcastDropped: true } }, { timeoutMs: 500 }, STEP.realtime,
      /no broadcast back on realtime:smoke-testrun01 \(self: true\) within 500 ms/, []],
    ['Realtime drops the presence diff', { faults: { presenceDropped: true } }, { timeoutMs: 500 }, STEP.realtime,
      /no presence join of smoke-testrun01 on realtime:smoke-testrun01 within 500 ms/, []],
    ['the function answers 500', { functions: { hello: () => ({ status: 500, body: { error: 'boom' } }) } }, { functionName: 'hello' }, STEP.functions,
      /POST \/functions\/v1\/hello as the user answered HTTP 500: \{"error":"boom"\}/, []],
    ['Storage does not answer in time', { faults: { hang: 'POST /storage/v1/bucket' } }, { timeoutMs: 500 }, STEP.storage,
      /creating the private bucket smoke-testrun01-private with the service key: .*no answer within 500 ms/, []],
    ['the function is not deployed', { functions: {} }, { functionName: 'missing' }, STEP.functions,
      /POST \/functions\/v1\/missing as the user answered HTTP 404: \{"msg":"function not found: missing"\}/, []],
  ])('%s', async (_title, options, config, failing, reason, skipped) => {
    const run = await check(options, config);
    expect(run.status(failing)).toBe('FAIL');
    expect(run.line(failing)).toMatch(new RegExp(`^FAIL {2}${failing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\d+ ms {2}`));
    expect(run.line(failing)).toMatch(reason);
    for (const name of skipped) {
      expect(run.line(name)).toMatch(/^SKIP .* not run: needs '.*', which did not pass$/);
    }
    // Every other step that could run passed.
    const others = run.outcome.results.filter((r) => r.name !== failing && !skipped.includes(r.name) && r.status !== 'SKIP');
    expect(others.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(run.outcome.passed).toBe(false);
    expect(run.outcome.leftBehind).toEqual([]);
    expect(run.lines.at(-1)).toMatch(/^\d+ passed, 1 failed, \d+ skipped in \d+ ms; cleanup: (\d+) of \1 removed\.$/);
    expect(run.standIn.isClean()).toBe(true);
  });

  test('a failed user creation still lets the CDN step run, and cleans what that made', async () => {
    const run = await check({ cdn: true, faults: { createUser: 500 } }, { distributionDomainName: CDN });
    expect(run.status(STEP.cdn)).toBe('PASS');
    expect(verdicts(run).filter((v) => v.includes('Cleanup'))).toEqual(['PASS Cleanup: public object', 'PASS Cleanup: public bucket']);
    expect(run.standIn.isClean()).toBe(true);
  });

  test('a key the gateway does not know fails at the first step with Kong\'s answer', async () => {
    const run = await check({}, { serviceRoleKey: 'not-the-service-key' });
    expect(run.line(STEP.createUser)).toMatch(/HTTP 401 Invalid authentication credentials/);
    expect(run.output).not.toContain('not-the-service-key');
    expect(run.standIn.isClean()).toBe(true);
  });

  test('a gateway that does not answer fails each step with the connection error, and nothing is left to clean', async () => {
    const closed = await startStandIn();
    await closed.close();
    const lines: string[] = [];
    const consoleError = jest.spyOn(console, 'error');
    const outcome = await runFunctionalCheck({ apiUrl: closed.url, anonKey: ANON_KEY, serviceRoleKey: SERVICE_KEY, timeoutMs: 1000 }, {
      runId: () => RUN_ID,
      randomBytes,
      now: Date.now,
      sleep: async () => undefined,
      fetch: globalThis.fetch,
      transport: WebSocket as any,
      print: (line) => lines.push(line),
    });
    expect(outcome.passed).toBe(false);
    // auth-js logs the network error to the console itself: it lands in the report, one line, redacted, not on the console.
    expect(consoleError).not.toHaveBeenCalled();
    expect(console.error).toBe(consoleError);
    consoleError.mockRestore();
    expect(lines).toContainEqual(expect.stringMatching(/^ {6}\(supabase-js\) Error: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/));
    expect(lines.find((l) => l.includes(STEP.createUser))).toMatch(/^FAIL .*refused smoke-testrun01@example\.com: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(lines.at(-1)).toMatch(/cleanup: 0 of 0 removed\.$/);
  });

  test('a print that writes to the console, as the command\'s does, reaches the real console (the libraries\' lines too)', async () => {
    const closed = await startStandIn();
    await closed.close();
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const outcome = await runFunctionalCheck({ apiUrl: closed.url, anonKey: ANON_KEY, serviceRoleKey: SERVICE_KEY, timeoutMs: 1000 }, {
        runId: () => RUN_ID,
        randomBytes,
        now: Date.now,
        sleep: async () => undefined,
        fetch: globalThis.fetch,
        transport: WebSocket as any,
        print: (line) => console.log(line),
      });
      expect(outcome.passed).toBe(false);
      const printed = consoleLog.mock.calls.map((call) => call[0] as string);
      expect(printed[0]).toBe(`Supabase functional check (--full) of ${closed.url}, run ${RUN_ID}`);
      expect(printed).toContainEqual(expect.stringMatching(/^ {6}\(supabase-js\) Error: fetch failed/));
      expect(printed).toContainEqual(expect.stringMatching(/^FAIL {2}Auth: create user/));
      expect(console.log).toBe(consoleLog);
    } finally {
      consoleLog.mockRestore();
    }
  });
});

describe('the cleanup', () => {
  test('postgres-meta not answering: both steps that need it fail with the timeout, and what it could not confirm removed is named', async () => {
    const run = await check({ faults: { hang: 'POST /pg/query' } }, { timeoutMs: 500 });
    expect(run.line(STEP.rest)).toMatch(/creating public\.smoke_test_testrun01 through postgres-meta \(POST \/pg\/query\) failed: no answer within 500 ms$/);
    expect(run.line(STEP.storage)).toMatch(/creating the policies on storage\.objects for smoke-testrun01-private through postgres-meta \(POST \/pg\/query\) failed: no answer within 500 ms$/);
    expect(verdicts(run).filter((v) => v.includes('Cleanup'))).toEqual(['PASS Cleanup: private bucket', 'FAIL Cleanup: storage policies', 'FAIL Cleanup: table', 'PASS Cleanup: user']);
    expect(run.outcome.leftBehind).toEqual([
      'policies smoke_testrun01_insert, smoke_testrun01_select, smoke_testrun01_delete on storage.objects', 'table public.smoke_test_testrun01',
    ]);
    expect(run.standIn.state.users.size + run.standIn.state.buckets.size).toBe(0);
  });

  test('a bucket that cannot be deleted is reported, named as left behind, and the rest is still removed', async () => {
    const run = await check({ faults: { deleteBucket: `smoke-${RUN_ID}-private` } });
    expect(run.line('Cleanup: private bucket')).toMatch(/^FAIL .*deleting the bucket smoke-testrun01-private: HTTP 500 Internal Server Error$/);
    expect(run.outcome).toMatchObject({ passed: false, leftBehind: ['bucket smoke-testrun01-private'] });
    expect(run.lines.at(-2)).toMatch(/^9 passed, 1 failed, 2 skipped in \d+ ms; cleanup: 4 of 5 removed\.$/);
    expect(run.lines.at(-1)).toBe('Left behind, remove by hand (Studio, or the service key): bucket smoke-testrun01-private');
    expect([...run.standIn.state.buckets.keys()]).toEqual(['smoke-testrun01-private']);
    expect(run.standIn.state.buckets.get('smoke-testrun01-private')!.objects.size).toBe(0);
    expect(run.standIn.state.users.size + run.standIn.state.tables.size + run.standIn.state.storagePolicies.size).toBe(0);
  });

  test('a user and a table that cannot be removed are both named, the user with its id', async () => {
    const run = await check({ faults: { deleteUser: true, dropTable: true } });
    expect(run.status('Cleanup: table')).toBe('FAIL');
    expect(run.status('Cleanup: user')).toBe('FAIL');
    const userId = [...run.standIn.state.users.keys()][0];
    expect(run.outcome.leftBehind).toEqual(['table public.smoke_test_testrun01', `user ${USER_EMAIL} (id ${userId})`]);
    expect(run.lines.at(-1)).toBe(`Left behind, remove by hand (Studio, or the service key): table public.smoke_test_testrun01; user ${USER_EMAIL} (id ${userId})`);
    // The keys the failing drop echoed are redacted.
    expect(run.line('Cleanup: table')).toContain('apikey=<service key>');
  });

  test('after a failure in the middle, what was made before it is removed, what was not is not touched', async () => {
    const run = await check({ cdn: true, faults: { upload: true } }, { distributionDomainName: CDN });
    expect(verdicts(run).filter((v) => v.includes('Cleanup'))).toEqual([
      'PASS Cleanup: private object', 'PASS Cleanup: public object', 'PASS Cleanup: private bucket', 'PASS Cleanup: public bucket',
      'PASS Cleanup: storage policies', 'PASS Cleanup: table', 'PASS Cleanup: user',
    ]);
    expect(run.line('Cleanup: private object')).toMatch(/smoke-testrun01-private\/[0-9a-f-]{36}\/smoke-testrun01\.txt was not there \(it was not uploaded\)$/);
    expect(run.standIn.isClean()).toBe(true);
  });
});

describe('secrets', () => {
  test('keys, the password and the tokens echoed by failing services are redacted', async () => {
    const run = await check({ faults: { upload: true, pgQuery: /create table/ } });
    expect(run.output).toContain('<service key>');
    expect(run.output).toContain('<access token>');
    const passwordEcho = await check({ faults: { createUser: 422 } });
    expect(passwordEcho.output).toContain('"password":"<password>"');
    // check() asserts on every run that no secret the stand-in saw or issued is in the output.
    expect(run.standIn.secretsSeen.size).toBeGreaterThanOrEqual(3);
  });
});

describe('names and SQL', () => {
  test('the run id is [a-z0-9]; everything else is named from it', () => {
    for (let i = 0; i < 50; i++) {
      expect(newRunId(randomBytes)).toMatch(/^[a-z0-9]{10}$/);
    }
    expect(runNames('abc123')).toMatchObject({
      email: 'smoke-abc123@example.com',
      qualifiedTable: 'public.smoke_test_abc123',
      privateBucket: 'smoke-abc123-private',
      publicBucket: 'smoke-abc123-public',
      channel: 'smoke-abc123',
    });
    for (const bad of ['abc', 'ABC1234', 'abc123; drop table x', 'abc-123', '']) {
      expect(() => runNames(bad)).toThrow(/A run id must be 6 to 24 characters of \[a-z0-9\]/);
    }
  });

  test('a strong password and a version 4 UUID', () => {
    expect(newPassword(randomBytes)).toMatch(/^[A-Za-z0-9_-]{32}-Aa1$/);
    expect(newUuid(randomBytes)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a bad run id stops the check before any request', async () => {
    const standIn = await startStandIn();
    try {
      await expect(runFunctionalCheck({ apiUrl: standIn.url, anonKey: ANON_KEY, serviceRoleKey: SERVICE_KEY, timeoutMs: 1000 }, {
        runId: () => 'x\'; drop table users; --',
        randomBytes,
        now: Date.now,
        sleep: async () => undefined,
        fetch: globalThis.fetch,
        transport: WebSocket as any,
        print: () => undefined,
      })).rejects.toThrow(/A run id must be/);
      expect(standIn.requests).toEqual([]);
    } finally {
      await standIn.close();
    }
  });

  test('the storage policies are for the run\'s private bucket and the user\'s own folder only', () => {
    const sql = createStoragePoliciesSql(runNames('abc123'));
    expect(sql.split('\n')).toEqual([
      'create policy smoke_abc123_insert on storage.objects for insert to authenticated with check (bucket_id = \'smoke-abc123-private\' and (storage.foldername(name))[1] = (select auth.uid()::text));',
      'create policy smoke_abc123_select on storage.objects for select to authenticated using (bucket_id = \'smoke-abc123-private\' and (storage.foldername(name))[1] = (select auth.uid()::text));',
      'create policy smoke_abc123_delete on storage.objects for delete to authenticated using (bucket_id = \'smoke-abc123-private\' and (storage.foldername(name))[1] = (select auth.uid()::text));',
    ]);
  });
});

describe('the command with --full', () => {

  async function run(argv: string[], env: NodeJS.ProcessEnv, bundle?: string): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await main(argv, env, (line) => lines.push(line), bundle ? { fullBundlePath: bundle } : {});
    return { code, output: lines.join('\n') };
  }

  const KEYS = { anonKey: ANON_KEY, serviceRoleKey: SERVICE_KEY };

  /** The bundle, built by the esbuild command of `npx projen bundle` (from .projen/tasks.json) into a folder of its own. */
  let bundle: string;
  beforeAll(() => {
    const root = resolve(__dirname, '..', '..');
    const tasks = JSON.parse(readFileSync(join(root, '.projen', 'tasks.json'), 'utf8')).tasks;
    const args: string[] = tasks['bundle:supabase/smoke-test/full/bundle'].steps[0].execArgs;
    expect(args).toEqual(expect.arrayContaining(['esbuild', '--bundle', 'src/supabase/smoke-test/full/bundle.ts', '--platform=node', '--target=node20', '--format=cjs',
      '--outfile=assets/supabase/smoke-test/full/bundle/index.js']));
    bundle = join(mkdtempSync(join(tmpdir(), 'smoke-bundle-')), 'index.js');
    execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [...args.slice(1).map((a) => (a.startsWith('--outfile=') ? `--outfile=${bundle}` : a)), '--log-level=error'], { cwd: root });
  });

  test('the bundle holds supabase-js and ws (nothing left to resolve but Node.js and ws\'s optional add-ons)', () => {
    const code = readFileSync(bundle, 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    const builtins = new Set(builtinModules);
    expect([...required].filter((name) => !builtins.has(name.replace(/^node:/, '')))).toEqual(['bufferutil', 'utf-8-validate']);
    expect(typeof loadFullCheck(bundle).runFullCheck).toBe('function');
  });

  test('end to end: the four checks, then every functional step, exit 0, no secret printed', async () => {
    const standIn = await startStandIn({ cdn: true, functions: { hello: echo } });
    try {
      const aws = fakeAws(standIn.url, JSON.stringify(KEYS), CDN);
      const { code, output } = await run(['--stack', 'S', '--full', '--function', 'hello', '--function-body', '{"a":1}', '--timeout', '5'], aws.env, bundle);
      expect(output).toContain('4 of 4 checks passed.');
      expect(output).toMatch(/\nSupabase functional check \(--full\) of http:\/\/127\.0\.0\.1:\d+, run [a-z0-9]{10}\n/);
      expect(output).toMatch(/\n14 passed, 0 failed, 0 skipped in \d+ ms; cleanup: 7 of 7 removed\.$/);
      expect(code).toBe(0);
      for (const secret of [ANON_KEY, SERVICE_KEY, ...standIn.secretsSeen]) {
        expect(output).not.toContain(secret);
      }
      await settled(standIn);
      expect(standIn.isClean()).toBe(true);
      expect(aws.calls()).toHaveLength(2);
    } finally {
      await standIn.close();
    }
  });

  test('exits 1 when a functional step fails, after cleaning up', async () => {
    const standIn = await startStandIn({ faults: { rlsIgnored: true } });
    try {
      const { code, output } = await run(['--stack', 'S', '--full'], fakeAws(standIn.url, JSON.stringify(KEYS)).env, bundle);
      expect(output).toContain('4 of 4 checks passed.');
      expect(output).toMatch(/FAIL {2}PostgREST: row-level security .*row-level security is not in force/);
      expect(output).toMatch(/SKIP {2}CDN: public object/);
      expect(code).toBe(1);
      await settled(standIn);
      expect(standIn.isClean()).toBe(true);
    } finally {
      await standIn.close();
    }
  });

  test('a missing bundle: exit 2 with how to build it, before any AWS call', async () => {
    const aws = fakeAws('http://127.0.0.1:9', JSON.stringify(KEYS));
    const { code, output } = await run(['--stack', 'S', '--full'], aws.env, '/nonexistent/assets/supabase/smoke-test/full/bundle/index.js');
    expect(code).toBe(2);
    expect(output).toBe('supabase-on-aws-smoke-test: The functional check (--full) is not built: /nonexistent/assets/supabase/smoke-test/full/bundle/index.js is missing.'
      + ' In this repository, run `npx projen bundle` (the build does it); a published package ships it, so reinstall cdk-supabase-on-aws if it is gone.');
    expect(aws.calls()).toEqual([]);
  });

  test('a file at the bundle\'s path that is not the check: exit 2', async () => {
    const notIt = join(mkdtempSync(join(tmpdir(), 'not-bundle-')), 'index.js');
    writeFileSync(notIt, 'module.exports = {};');
    expect(await run(['--stack', 'S', '--full'], {}, notIt)).toEqual({ code: 2, output: expect.stringMatching(/does not export runFullCheck: rebuild it with `npx projen bundle`/) });
  });

  test('the bundle\'s default path: assets/ at the package root, from lib/ (published) and src/ (tsx) alike', () => {
    expect(fullBundlePath('/pkg/lib/supabase/smoke-test')).toBe('/pkg/assets/supabase/smoke-test/full/bundle/index.js');
    expect(fullBundlePath('/repo/src/supabase/smoke-test')).toBe('/repo/assets/supabase/smoke-test/full/bundle/index.js');
    expect(fullBundlePath()).toBe(resolve(__dirname, '..', '..', 'assets', 'supabase', 'smoke-test', 'full', 'bundle', 'index.js'));
  });

  test('--full needs the service_role key in the secret: exit 2, never quoting the secret', async () => {
    const { code, output } = await run(['--stack', 'S', '--full'], fakeAws('http://127.0.0.1:9', JSON.stringify({ anonKey: ANON_KEY })).env, bundle);
    expect(code).toBe(2);
    expect(output).toMatch(/^supabase-on-aws-smoke-test: The secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf has no serviceRoleKey field, which --full needs$/);
    expect(output).not.toContain(ANON_KEY);
  });

  test.each([
    [['--stack', 'S', '--function', 'hello'], /--function calls an Edge Function as the functional check's user: add --full/],
    [['--stack', 'S', '--full', '--function-body', '{}'], /--function-body is the body for --function <name>: add it/],
    [['--stack', 'S', '--full', '--function', '../admin'], /--function must be a function name \(\[A-Za-z0-9_-\]\), got '\.\.\/admin'/],
    [['--stack', 'S', '--full', '--function', 'hello', '--function-body', '{not json'], /--function-body must be JSON: /],
    [['--stack', 'S', '--full', '--function'], /Unexpected argument '--function' \(or its value is missing\)/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    expect(await run(argv, {}, bundle)).toEqual({ code: 2, output: expect.stringMatching(message) });
  });

  test('without --full the command is as before: the bundle is not needed, the service key not read', async () => {
    const standIn = await startStandIn();
    try {
      const { code, output } = await run(['--stack', 'S'], fakeAws(standIn.url, JSON.stringify({ anonKey: ANON_KEY })).env, '/nonexistent/index.js');
      expect(code).toBe(0);
      expect(output.split('\n')).toHaveLength(6);
      expect(output).toMatch(/\n4 of 4 checks passed\.$/);
      expect(standIn.requests.sort()).toEqual(['GET /auth/v1/health', 'GET /realtime/v1/api/ping', 'GET /rest/v1/buckets', 'GET /storage/v1/status']);
    } finally {
      await standIn.close();
    }
  });

  test('--help shows --full and its options', async () => {
    const { code, output } = await run(['--help'], {});
    expect(code).toBe(0);
    expect(output).toMatch(/\[--full \[--function <name> \[--function-body <json>\]\]\]/);
    expect(output).toMatch(/--full {11}then the functional check with supabase-js/);
  });
});
