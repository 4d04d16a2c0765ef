/**
 * The functional check (`supabase-on-aws-smoke-test --full`): what a client application does, through the public URL
 * with supabase-js, against a deployed SupabaseOnAws, with a throw-away user, table, buckets, objects, policies and
 * channel that it removes afterwards, even after a failure. Every dependency on the world (the run id and other random
 * values, the clock, the network) comes in through `FunctionalCheckDeps`, so the check runs against local stand-ins.
 *
 * Bundled by esbuild with supabase-js and ws (never compiled by jsii, never a runtime dependency).
 */
import { format } from 'node:util';
import { createClient } from '@supabase/supabase-js';
import { bodyMessage, describeError, networkError } from './errors';
import { RunNames, createStoragePoliciesSql, createTableSql, dropStoragePoliciesSql, dropTableSql, newPassword, newUuid, runNames } from './names';
import { realtimeStep } from './realtime-step';
import { redact } from '../checks';
import { FunctionalCheckConfig, FunctionalCheckDeps, FunctionalCheckOutcome, STEP, StepResult, StepStatus } from './types';

export { STEP } from './types';
export type { FunctionalCheckConfig, FunctionalCheckDeps, FunctionalCheckOutcome, StepResult, StepStatus } from './types';

/** The width of the step-name column (the longest name). */
const NAME_WIDTH = 30;

/** A step that does not apply (no CDN, no function named): reported as SKIP with the reason. */
class Skip extends Error {}

/** What the check made, and how to remove it; kept in the order the cleanup removes things. */
type Kind = 'object' | 'bucket' | 'policies' | 'table' | 'user';
const CLEANUP_ORDER: Kind[] = ['object', 'bucket', 'policies', 'table', 'user'];

interface Made {
  readonly kind: Kind;
  /** The cleanup step's name. */
  readonly step: string;
  /** The thing itself, for the operator when it is left behind. */
  readonly what: string;
  /** Removes it; gives what was done. */
  readonly remove: () => Promise<string>;
}

/** Runs the functional check; the report goes to `deps.print` line by line. */
export async function runFunctionalCheck(config: FunctionalCheckConfig, deps: FunctionalCheckDeps): Promise<FunctionalCheckOutcome> {
  const base = config.apiUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) {
    throw new Error(`The API URL must start with https:// (or http://), got '${config.apiUrl}'`);
  }
  const n: RunNames = runNames(deps.runId());
  const password = newPassword(deps.randomBytes);
  // Everything secret the report must never show, the user's tokens once it has them.
  const secrets: Record<string, string | undefined> = {
    'anon key': config.anonKey,
    'service key': config.serviceRoleKey,
    'password': password,
  };
  const clean = (text: string, max = 400) => redact(text, secrets, max);
  /** Whether a line is being printed: a print that writes to the console (the command's) reaches the real console. */
  let printing = false;
  const print = (line: string) => {
    printing = true;
    try {
      deps.print(line);
    } finally {
      printing = false;
    }
  };
  const results: StepResult[] = [];
  const leftBehind: string[] = [];
  const made: Made[] = [];

  const report = (result: StepResult) => {
    results.push(result);
    const time = result.ms === undefined ? '-' : `${result.ms} ms`;
    // The detail is redacted already (the rest is the check's own words).
    print(`${result.status}  ${result.name.padEnd(NAME_WIDTH)}  ${time.padStart(8)}  ${result.detail}`);
  };
  const passed = (name: string) => results.some((r) => r.name === name && r.status === 'PASS');

  /** Runs one step unless a step it needs did not pass; reports PASS, FAIL or SKIP with its time. */
  const step = async (name: string, needs: string[], body: () => Promise<string>): Promise<boolean> => {
    const missing = needs.filter((need) => !passed(need));
    if (missing.length > 0) {
      report({ name, status: 'SKIP', detail: `not run: needs ${missing.map((m) => `'${m}'`).join(' and ')}, which did not pass` });
      return false;
    }
    const started = deps.now();
    try {
      const detail = await body();
      report({ name, status: 'PASS', ms: deps.now() - started, detail: clean(detail) });
      return true;
    } catch (error) {
      const skipped = error instanceof Skip;
      report({
        name,
        status: skipped ? 'SKIP' : 'FAIL',
        ms: skipped ? undefined : deps.now() - started,
        detail: clean(skipped ? (error as Error).message : describeError(error)),
      });
      return false;
    }
  };

  /**
   * The network as the clients use it: every request gives up after the timeout (unless the caller set a signal of its
   * own), network errors name their cause, and the body of the last failed answer is kept, since auth-js drops it for
   * HTTP 5xx (where GoTrue says what went wrong).
   */
  let lastFailure: { status: number; body: string } | undefined;
  const timedFetch: typeof fetch = async (input, init) => {
    let response: Response;
    try {
      response = await deps.fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(config.timeoutMs) });
    } catch (error) {
      throw networkError(error, config.timeoutMs);
    }
    lastFailure = response.ok ? undefined : { status: response.status, body: await response.clone().text().catch(() => '') };
    return response;
  };

  /** Throws `<what>: <the error>` when a supabase-js answer carries an error. */
  const check = <T extends { error: unknown; status?: number }>(answer: T, what: string): T => {
    if (answer.error) {
      const error = answer.error as { message?: string; status?: number };
      const status = error.status ?? answer.status;
      // An empty message ('{}': auth-js on HTTP 5xx): the body of that failed answer instead.
      const opaque = !error.message || error.message === '{}';
      const body = opaque && lastFailure && lastFailure.status === status ? lastFailure.body : undefined;
      throw new Error(`${what}: ${body ? `HTTP ${status} ${bodyMessage(body)}` : describeError(answer.error, answer.status)}`);
    }
    return answer;
  };
  const client = (key: string) => createClient(base, key, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
    global: { fetch: timedFetch },
    realtime: { transport: deps.transport, timeout: config.timeoutMs },
  });
  const admin = client(config.serviceRoleKey);
  const user = client(config.anonKey);
  const anon = client(config.anonKey);

  /** SQL through the gateway's admin-only /pg/ route (postgres-meta, as the database role postgres). */
  const pgQuery = async (sql: string, what: string): Promise<void> => {
    const failed = `${what} through postgres-meta (POST /pg/query) failed`;
    let response: Response;
    try {
      response = await timedFetch(`${base}/pg/query`, {
        method: 'POST',
        headers: { 'apikey': config.serviceRoleKey, 'Authorization': `Bearer ${config.serviceRoleKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: sql }),
      });
    } catch (error) {
      throw new Error(`${failed}: ${describeError(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${failed}: HTTP ${response.status}: ${bodyMessage(text) || '(empty body)'}`);
    }
  };

  const deleteBucket = async (bucket: string): Promise<string> => {
    const { error } = await admin.storage.deleteBucket(bucket);
    if (error) {
      if (/not.?found/i.test(error.message)) {
        return `${bucket} was not there (it was not created)`;
      }
      throw new Error(`deleting the bucket ${bucket}: ${describeError(error)}`);
    }
    return `deleted the bucket ${bucket}`;
  };
  const deleteObject = async (bucket: string, path: string): Promise<string> => {
    const { data } = check(await admin.storage.from(bucket).remove([path]), `deleting ${bucket}/${path}`);
    return (data ?? []).length > 0 ? `deleted ${bucket}/${path}` : `${bucket}/${path} was not there (it was not uploaded)`;
  };

  let userId = '';
  const runStart = deps.now();
  print(`Supabase functional check (--full) of ${base}, run ${n.runId}`);

  // The client libraries write to the console on their own (auth-js logs every network error, for one): for the run,
  // their lines go into the report instead, redacted like everything else, the first line only (no stack).
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = consoleMethods.map((method) => console[method]);
  consoleMethods.forEach((method, i) => {
    console[method] = (...args: unknown[]) => (printing
      ? saved[i].apply(console, args)
      : print(`      (supabase-js) ${clean(format(...args).split('\n')[0])}`));
  });

  try {
    await step(STEP.createUser, [], async () => {
      const { data } = check(await admin.auth.admin.createUser({
        email: n.email, password, email_confirm: true, user_metadata: { smoke_test: n.runId },
      }), `the Auth admin API (POST /auth/v1/admin/users, service key) refused ${n.email}`);
      if (!data.user?.id) {
        throw new Error(`the Auth admin API answered no user for ${n.email}`);
      }
      userId = data.user.id;
      made.push({
        kind: 'user',
        step: 'Cleanup: user',
        what: `user ${n.email} (id ${userId})`,
        remove: async () => {
          check(await admin.auth.admin.deleteUser(userId), `deleting the user (DELETE /auth/v1/admin/users/${userId})`);
          return `deleted ${n.email} (id ${userId})`;
        },
      });
      return `${n.email} (id ${userId}), email confirmed, through POST /auth/v1/admin/users`;
    });

    await step(STEP.signIn, [STEP.createUser], async () => {
      const { data } = check(await user.auth.signInWithPassword({ email: n.email, password }),
        'the password grant (POST /auth/v1/token?grant_type=password) failed');
      const session = data.session;
      if (!session?.access_token) {
        throw new Error('the password grant answered no session');
      }
      secrets['access token'] = session.access_token;
      secrets['refresh token'] = session.refresh_token;
      if (session.user?.id !== userId) {
        throw new Error(`the session is for user ${session.user?.id}, not ${userId}`);
      }
      return `password grant: a session for ${userId} (token expires in ${session.expires_in} s)`;
    });

    await step(STEP.rest, [STEP.signIn], async () => {
      made.push({
        kind: 'table',
        step: 'Cleanup: table',
        what: `table ${n.qualifiedTable}`,
        remove: async () => {
          await pgQuery(dropTableSql(n), `dropping ${n.qualifiedTable}`);
          return `dropped ${n.qualifiedTable} (if it existed) and reloaded PostgREST's schema`;
        },
      });
      await pgQuery(createTableSql(n), `creating ${n.qualifiedTable}`);

      // PostgREST reloads its schema cache on the notification, in the background: wait (bounded) until it has the table.
      const limit = config.schemaReloadTimeoutMs ?? 30_000;
      const waitStart = deps.now();
      for (let attempt = 1; ; attempt++) {
        const { error, status } = await admin.from(n.table).select('id').limit(1);
        if (!error) {
          break;
        }
        const stale = ['PGRST205', 'PGRST002', '42P01'].includes(error.code ?? '');
        if (!stale || deps.now() - waitStart >= limit) {
          throw new Error(stale
            ? `PostgREST did not see ${n.qualifiedTable} within ${limit} ms of NOTIFY pgrst, 'reload schema' (${attempt} tries): ${describeError(error, status)}`
            : `reading ${n.qualifiedTable} with the service key: ${describeError(error, status)}`);
        }
        await deps.sleep(Math.min(250, limit));
      }
      const seenAfter = deps.now() - waitStart;

      const note = `row of ${n.runId}`;
      const { data: mine } = check(await user.from(n.table).insert({ note }).select('id, owner, note').single(),
        'the user could not insert its own row (POST /rest/v1/' + n.table + ')');
      const own = mine as { id: string; owner: string; note: string };
      if (own.owner !== userId) {
        throw new Error(`the user's row belongs to ${own.owner}, not to the user ${userId} (owner defaults to auth.uid())`);
      }
      const otherOwner = newUuid(deps.randomBytes);
      const { data: theirs } = check(await admin.from(n.table).insert({ owner: otherOwner, note: 'row of another owner' }).select('id').single(),
        'the service role could not insert a row for another owner');
      const other = theirs as { id: string };
      const { data: rows } = check(await user.from(n.table).select('id, owner, note'), `the user could not read ${n.table}`);
      const seen = (rows ?? []) as { id: string; owner: string; note: string }[];
      if (!seen.some((r) => r.id === own.id && r.note === note)) {
        throw new Error(`the user did not read back its own row ${own.id} (it read ${seen.length} rows)`);
      }
      if (seen.some((r) => r.id === other.id || r.owner !== userId)) {
        throw new Error(`row-level security is not in force: the user read a row of another owner (${seen.length} rows, the other owner's ${other.id} among them)`);
      }
      const { data: all } = check(await admin.from(n.table).select('id'), `the service role could not read ${n.table}`);
      if (!(all ?? []).some((r: { id: string }) => r.id === other.id)) {
        throw new Error(`the service role does not see the other owner's row ${other.id}, so its absence for the user proves nothing`);
      }
      return `${n.qualifiedTable} (RLS, owner = auth.uid()) seen by PostgREST ${seenAfter} ms after the reload; the user inserted and `
        + `read back its own row and did not see the service role's row for another owner (${seen.length} of ${(all ?? []).length} rows)`;
    });

    await step(STEP.storage, [STEP.signIn], async () => {
      const bucket = n.privateBucket;
      made.push({
        kind: 'bucket',
        step: 'Cleanup: private bucket',
        what: `bucket ${bucket}`,
        remove: () => deleteBucket(bucket),
      });
      check(await admin.storage.createBucket(bucket, { public: false }), `creating the private bucket ${bucket} with the service key`);
      made.push({
        kind: 'policies',
        step: 'Cleanup: storage policies',
        what: `policies ${Object.values(n.storagePolicies).join(', ')} on storage.objects`,
        remove: async () => {
          await pgQuery(dropStoragePoliciesSql(n), 'dropping the storage policies');
          return `dropped ${Object.values(n.storagePolicies).join(', ')} on storage.objects (if they existed)`;
        },
      });
      await pgQuery(createStoragePoliciesSql(n), `creating the policies on storage.objects for ${bucket}`);

      const path = `${userId}/smoke-${n.runId}.txt`;
      const bytes = Buffer.from(`supabase-on-aws smoke test ${n.runId} ${Buffer.from(deps.randomBytes(16)).toString('hex')}\n`);
      made.push({
        kind: 'object',
        step: 'Cleanup: private object',
        what: `object ${bucket}/${path}`,
        remove: () => deleteObject(bucket, path),
      });
      check(await user.storage.from(bucket).upload(path, bytes, { contentType: 'text/plain', upsert: false }),
        `the user could not upload ${bucket}/${path}`);
      const { data: blob } = check(await user.storage.from(bucket).download(path), `the user could not download ${bucket}/${path}`);
      const got = Buffer.from(await blob!.arrayBuffer());
      if (!got.equals(bytes)) {
        throw new Error(`the user downloaded ${got.length} bytes that differ from the ${bytes.length} it uploaded`);
      }
      const anonymous = await anon.storage.from(bucket).download(path);
      if (!anonymous.error) {
        throw new Error(`the object was readable with the anon key alone: ${bucket} is not private`);
      }
      return `${bucket} (private; policies for the user's own folder): the user uploaded ${bytes.length} bytes to ${path} and downloaded `
        + `them intact; with the anon key alone: refused (${describeError(anonymous.error)})`;
    });

    await step(STEP.cdn, [], async () => {
      if (!config.distributionDomainName) {
        throw new Skip('the stack has no DistributionDomainName output (no cdn): nothing is cached by CloudFront');
      }
      const bucket = n.publicBucket;
      made.push({
        kind: 'bucket',
        step: 'Cleanup: public bucket',
        what: `bucket ${bucket}`,
        remove: () => deleteBucket(bucket),
      });
      check(await admin.storage.createBucket(bucket, { public: true }), `creating the public bucket ${bucket} with the service key`);
      const path = `smoke-${n.runId}.txt`;
      const bytes = Buffer.from(`supabase-on-aws smoke test ${n.runId} public ${Buffer.from(deps.randomBytes(16)).toString('hex')}\n`);
      made.push({
        kind: 'object',
        step: 'Cleanup: public object',
        what: `object ${bucket}/${path}`,
        remove: () => deleteObject(bucket, path),
      });
      check(await admin.storage.from(bucket).upload(path, bytes, { contentType: 'text/plain', upsert: false }),
        `uploading ${bucket}/${path} with the service key`);
      const publicPath = `/storage/v1/object/public/${bucket}/${path}`;
      const response = await timedFetch(`${base}${publicPath}`).catch((error: unknown) => {
        throw new Error(`GET ${publicPath} (no key) failed: ${describeError(error)}`);
      });
      const got = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) {
        throw new Error(`GET ${publicPath} (no key) answered HTTP ${response.status}: ${got.toString('utf8') || '(empty body)'}`);
      }
      if (!got.equals(bytes)) {
        throw new Error(`GET ${publicPath} gave ${got.length} bytes that differ from the ${bytes.length} uploaded`);
      }
      const xCache = response.headers.get('x-cache');
      const via = response.headers.get('via');
      if (!/cloudfront/i.test(`${xCache ?? ''} ${via ?? ''}`)) {
        throw new Error(`GET ${publicPath} did not come through CloudFront (x-cache: ${xCache ?? 'none'}, via: ${via ?? 'none'}): `
          + `point the public URL's DNS name at the distribution ${config.distributionDomainName}`);
      }
      return `GET ${publicPath} (no key): HTTP 200, ${got.length} bytes intact, through CloudFront (x-cache: ${xCache ?? 'none'}, via: ${via ?? 'none'})`;
    });

    await step(STEP.realtime, [STEP.signIn], () => realtimeStep(user, n, config.timeoutMs, deps));

    await step(STEP.functions, [STEP.signIn], async () => {
      if (!config.functionName) {
        throw new Skip('no function named: add --function <name> (and --function-body <json>) to call a deployed Edge Function as the user');
      }
      const name = config.functionName;
      const options = config.functionBody === undefined ? {} : { body: config.functionBody as Record<string, unknown> };
      const answer = await user.functions.invoke(name, options);
      if (answer.error) {
        const context = (answer.error as { context?: Response }).context;
        if (typeof context?.status === 'number' && typeof context.text === 'function') {
          const body = (await context.text().catch(() => '')) || '(empty body)';
          throw new Error(`POST /functions/v1/${name} as the user answered HTTP ${context.status}: ${body}`);
        }
        throw new Error(`POST /functions/v1/${name} as the user failed: ${describeError(answer.error)}`);
      }
      return `POST /functions/v1/${name} as the user: HTTP ${answer.response?.status ?? 200}`;
    });
  } finally {
    // Everything made, objects first and the user last, each reported; a failure leaves the rest still tried.
    const ordered = CLEANUP_ORDER.flatMap((kind) => made.filter((m) => m.kind === kind));
    try {
      for (const thing of ordered) {
        const removed = await step(thing.step, [], thing.remove);
        if (!removed) {
          leftBehind.push(thing.what);
        }
      }
    } finally {
      consoleMethods.forEach((method, i) => {
        console[method] = saved[i];
      });
    }
  }

  const count = (status: StepStatus) => results.filter((r) => r.status === status).length;
  print(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped in ${deps.now() - runStart} ms; `
    + `cleanup: ${made.length - leftBehind.length} of ${made.length} removed.`);
  if (leftBehind.length > 0) {
    print(clean(`Left behind, remove by hand (Studio, or the service key): ${leftBehind.join('; ')}`, 2000));
  }
  return { runId: n.runId, results, leftBehind, passed: count('FAIL') === 0 };
}
