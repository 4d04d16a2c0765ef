/**
 * A stand-in for a deployment's gateway, for the functional check (`--full`): Kong's key check and the routes the check
 * uses, each answering like the service behind it (GoTrue, PostgREST with row-level security by the bearer token's
 * subject, postgres-meta running the check's SQL, the Storage API with its policies, Realtime's Phoenix channels over a
 * WebSocket in the protocol realtime-js 2.109.0 speaks (serializer 2.0.0), an Edge Function), plus the state they keep,
 * so a test can see what the check left behind. Faults make a service answer wrongly, one at a time.
 */
import { createHmac, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** The JWT secret of the stand-in: the keys and the users' tokens are real HS256 tokens signed with it. */
const JWT_SECRET = 'stand-in-jwt-secret-with-at-least-32-characters';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function signJwt(payload: Record<string, unknown>): string {
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}

function verifyJwt(token: string | undefined): Record<string, any> | undefined {
  const [header, payload, signature] = (token ?? '').split('.');
  if (!header || !payload || !signature) {
    return undefined;
  }
  if (createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest('base64url') !== signature) {
    return undefined;
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  return typeof claims.exp === 'number' && claims.exp < Date.now() / 1000 ? undefined : claims;
}

export const ANON_KEY = signJwt({ role: 'anon', iss: 'supabase', iat: 1700000000, exp: 4000000000 });
export const SERVICE_KEY = signJwt({ role: 'service_role', iss: 'supabase', iat: 1700000000, exp: 4000000000 });

/** Faults: each makes one service answer wrongly. `echo` ones quote the request's secrets back, as a careless service might. */
export interface Faults {
  /** POST /auth/v1/admin/users answers this status (and echoes the request body, password included). */
  readonly createUser?: number;
  /** The password grant answers 400 invalid_credentials. */
  readonly signIn?: boolean;
  /** /pg/query fails SQL matching this (HTTP 400, echoing the request's headers, keys included). */
  readonly pgQuery?: RegExp;
  /** PostgREST never reloads its schema cache. */
  readonly schemaNeverReloads?: boolean;
  /** PostgREST ignores row-level security (as if the table had it off). */
  readonly rlsIgnored?: boolean;
  /** Storage refuses the user's upload (HTTP 403, echoing the Authorization header: the user's token). */
  readonly upload?: boolean;
  /** Storage gives the user's download back with a byte changed. */
  readonly corruptDownload?: boolean;
  /** Storage serves the private object to the anon key. */
  readonly anonReadsPrivate?: boolean;
  /** The public object comes without CloudFront's headers (DNS not pointed at the distribution). */
  readonly noCdnHeaders?: boolean;
  /** Realtime refuses the join with this reason. */
  readonly joinRefused?: string;
  /** Realtime acknowledges broadcasts but never delivers them. */
  readonly broadcastDropped?: boolean;
  /** Realtime acknowledges presence tracking but never sends the diff. */
  readonly presenceDropped?: boolean;
  /** Deleting this bucket fails with HTTP 500. */
  readonly deleteBucket?: string;
  /** Deleting the user fails with HTTP 500. */
  readonly deleteUser?: boolean;
  /** Dropping the table fails. */
  readonly dropTable?: boolean;
  /** Requests to this `METHOD /path` never get an answer. */
  readonly hang?: string;
}

export interface StandInOptions {
  readonly cdn?: boolean;
  /** Edge Functions by name: the answer's status and JSON body, given the request body and the caller's user id. */
  readonly functions?: Record<string, (body: unknown, userId: string) => { status: number; body: unknown }>;
  readonly faults?: Faults;
}

interface Row {
  id: string;
  owner: string;
  note: string;
}
interface Table {
  rls: boolean;
  ownerPolicy: boolean;
  /** PostgREST has the table in its schema cache. */
  visible: boolean;
  /** PostgREST reloads on the notification, in the background: requests that still miss the table after it. */
  missesLeft: number;
  rows: Row[];
}
interface Bucket {
  public: boolean;
  objects: Map<string, { bytes: Buffer; contentType: string; owner?: string }>;
}
interface Member {
  readonly socket: WebSocket;
  readonly topic: string;
  readonly joinRef: string;
  readonly self: boolean;
  readonly ack: boolean;
  readonly presenceKey: string;
}

export interface StandInState {
  readonly users: Map<string, { email: string; password: string; confirmed: boolean }>;
  readonly tables: Map<string, Table>;
  /** Policies on storage.objects: name to bucket and command. */
  readonly storagePolicies: Map<string, { bucket: string; command: string }>;
  readonly buckets: Map<string, Bucket>;
  readonly sockets: Set<WebSocket>;
  readonly members: Member[];
  readonly presences: Map<string, Map<string, Record<string, unknown>[]>>;
  /** Every channel join: the topic and the role (and user) of its access token. */
  readonly joins: { topic: string; role?: string; sub?: string }[];
}

export interface StandIn {
  readonly url: string;
  readonly state: StandInState;
  /** Every password and token the stand-in saw or issued: none may appear in the report. */
  readonly secretsSeen: Set<string>;
  /** `METHOD /path` of every HTTP request. */
  readonly requests: string[];
  /** Every SQL text /pg/query received. */
  readonly sql: string[];
  /** The state is empty: everything the check made is gone (open sockets included). */
  isClean(): boolean;
  close(): Promise<void>;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, body, headers });

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const faults = options.faults ?? {};
  const state: StandInState = {
    users: new Map(),
    tables: new Map(),
    storagePolicies: new Map(),
    buckets: new Map(),
    sockets: new Set(),
    members: [],
    presences: new Map(),
    joins: [],
  };
  const secretsSeen = new Set<string>();
  const requests: string[] = [];
  const sql: string[] = [];

  /** The role (and user) of a bearer token, as PostgREST, Storage and GoTrue read it. */
  const roleOf = (authorization: string | undefined): { role: string; sub?: string } | undefined => {
    const claims = verifyJwt(authorization?.replace(/^Bearer /i, ''));
    if (!claims) {
      return undefined;
    }
    if (claims.role === 'authenticated' && !state.users.has(claims.sub)) {
      return undefined;
    }
    return { role: claims.role, sub: claims.sub };
  };

  /** Kong's key-auth and ACL: the consumer of the apikey (header, or query for the WebSocket), and whether it may pass. */
  const kong = (apikey: string | undefined, adminOnly: boolean): Answer | undefined => {
    if (!apikey) {
      return json(401, { message: 'No API key found in request' });
    }
    const consumer = apikey === SERVICE_KEY ? 'admin' : apikey === ANON_KEY ? 'anon' : undefined;
    if (!consumer) {
      return json(401, { message: 'Invalid authentication credentials' });
    }
    return adminOnly && consumer !== 'admin' ? json(403, { message: 'You cannot consume this service' }) : undefined;
  };

  // ---- GoTrue ----
  const auth = (method: string, path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders, body: any): Answer => {
    const caller = roleOf(headers.authorization);
    if (method === 'POST' && path === '/admin/users') {
      if (caller?.role !== 'service_role') {
        return json(403, { code: 403, error_code: 'not_admin', msg: 'User not allowed' });
      }
      secretsSeen.add(body.password);
      if (faults.createUser) {
        return json(faults.createUser, { code: faults.createUser, error_code: 'unexpected_failure', msg: `Database error creating new user: ${JSON.stringify(body)}` });
      }
      if ([...state.users.values()].some((u) => u.email === body.email)) {
        return json(422, { code: 422, error_code: 'email_exists', msg: 'A user with this email address has already been registered' });
      }
      const id = randomUUID();
      state.users.set(id, { email: body.email, password: body.password, confirmed: body.email_confirm === true });
      return json(200, userJson(id));
    }
    const one = /^\/admin\/users\/([0-9a-f-]+)$/.exec(path);
    if (method === 'DELETE' && one) {
      if (caller?.role !== 'service_role') {
        return json(403, { code: 403, error_code: 'not_admin', msg: 'User not allowed' });
      }
      if (faults.deleteUser) {
        return json(500, { code: 500, error_code: 'unexpected_failure', msg: 'Database error deleting user' });
      }
      if (!state.users.delete(one[1])) {
        return json(404, { code: 404, error_code: 'user_not_found', msg: 'User not found' });
      }
      return json(200, {});
    }
    if (method === 'POST' && path === '/token' && query.get('grant_type') === 'password') {
      secretsSeen.add(body.password);
      const found = [...state.users.entries()].find(([, u]) => u.email === body.email);
      if (faults.signIn || !found || found[1].password !== body.password || !found[1].confirmed) {
        return json(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
      }
      const [id, u] = found;
      const now = Math.floor(Date.now() / 1000);
      const accessToken = signJwt({ sub: id, role: 'authenticated', aud: 'authenticated', email: u.email, iat: now, exp: now + 3600 });
      const refreshToken = randomUUID().replace(/-/g, '').slice(0, 12);
      secretsSeen.add(accessToken);
      secretsSeen.add(refreshToken);
      return json(200, {
        access_token: accessToken, token_type: 'bearer', expires_in: 3600, expires_at: now + 3600, refresh_token: refreshToken, user: userJson(id),
      });
    }
    if (method === 'GET' && path === '/health') {
      return json(200, { version: 'v2.196.0', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
    }
    return json(404, { code: 404, error_code: 'not_found', msg: `no route ${method} ${path}` });
  };
  const userJson = (id: string) => {
    const u = state.users.get(id)!;
    return {
      id,
      aud: 'authenticated',
      role: 'authenticated',
      email: u.email,
      email_confirmed_at: u.confirmed ? new Date().toISOString() : null,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      identities: [],
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      is_anonymous: false,
    };
  };

  // ---- postgres-meta: the check's statements only, all or nothing like one implicit transaction ----
  const pgQuery = (headers: http.IncomingHttpHeaders, body: any): Answer => {
    const text = String(body?.query ?? '');
    sql.push(text);
    if (faults.pgQuery?.test(text) || (faults.dropTable && /drop table/.test(text))) {
      return json(400, { error: `ERROR: permission denied (request headers: apikey=${headers.apikey}, authorization=${headers.authorization})` });
    }
    const actions: (() => void)[] = [];
    for (const statement of text.split(/;\s*(?:\n|$)/).map((st) => st.trim()).filter(Boolean)) {
      let m: RegExpExecArray | null;
      if ((m = /^create table public\.(\w+) \(id uuid primary key default gen_random_uuid\(\), owner uuid not null default auth\.uid\(\), note text not null\)$/.exec(statement))) {
        const name = m[1];
        if (state.tables.has(name)) {
          return json(400, { error: `ERROR: relation "${name}" already exists` });
        }
        actions.push(() => state.tables.set(name, { rls: false, ownerPolicy: false, visible: false, missesLeft: 0, rows: [] }));
      } else if ((m = /^alter table public\.(\w+) enable row level security$/.exec(statement))) {
        const name = m[1];
        actions.push(() => {
          state.tables.get(name)!.rls = true;
        });
      } else if (/^grant [a-z, ]+ on public\.\w+ to (authenticated|service_role)$/.test(statement)) {
        // privileges: the stand-in grants every role everything anyway
      } else if ((m = /^create policy (\w+) on public\.(\w+) for all to authenticated using \(owner = \(select auth\.uid\(\)\)\) with check \(owner = \(select auth\.uid\(\)\)\)$/.exec(statement))) {
        const name = m[2];
        actions.push(() => {
          state.tables.get(name)!.ownerPolicy = true;
        });
      } else if (statement === 'notify pgrst, \'reload schema\'') {
        actions.push(() => {
          for (const table of state.tables.values()) {
            if (!table.visible && !faults.schemaNeverReloads) {
              table.visible = true;
              table.missesLeft = 2;
            }
          }
        });
      } else if ((m = /^drop table if exists public\.(\w+)$/.exec(statement))) {
        const name = m[1];
        actions.push(() => state.tables.delete(name));
      } else if ((m = /^create policy (\w+) on storage\.objects for (insert|select|delete) to authenticated (?:using|with check) \(bucket_id = '([a-z0-9-]+)' and \(storage\.foldername\(name\)\)\[1\] = \(select auth\.uid\(\)::text\)\)$/.exec(statement))) {
        const [, name, command, bucket] = m;
        if (state.storagePolicies.has(name)) {
          return json(400, { error: `ERROR: policy "${name}" for table "objects" already exists` });
        }
        actions.push(() => state.storagePolicies.set(name, { bucket, command }));
      } else if ((m = /^drop policy if exists (\w+) on storage\.objects$/.exec(statement))) {
        const name = m[1];
        actions.push(() => state.storagePolicies.delete(name));
      } else {
        return json(400, { error: `ERROR: the stand-in does not run: ${statement}` });
      }
    }
    actions.forEach((action) => action());
    return json(200, []);
  };

  // ---- PostgREST ----
  const rest = (method: string, path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders, body: any): Answer => {
    if (path === '/buckets' && headers['accept-profile'] === 'storage') {
      return json(200, []);
    }
    const caller = roleOf(headers.authorization);
    if (!caller) {
      return json(401, { code: 'PGRST301', message: 'JWSError JWSInvalidSignature' });
    }
    const name = path.slice(1);
    const table = state.tables.get(name);
    if (!table || !table.visible || table.missesLeft-- > 0) {
      return json(404, { code: 'PGRST205', details: null, hint: null, message: `Could not find the table 'public.${name}' in the schema cache` });
    }
    const bypass = caller.role === 'service_role' || faults.rlsIgnored || !table.rls;
    const visible = (row: Row) => bypass || (caller.role === 'authenticated' && table.ownerPolicy && row.owner === caller.sub);
    const single = String(headers.accept ?? '').includes('vnd.pgrst.object');
    const columns = (query.get('select') ?? '*').split(',').map((c) => c.trim());
    const project = (row: Row) => (columns.includes('*') ? row : Object.fromEntries(columns.map((c) => [c, (row as any)[c]])));
    const answer = (rows: Row[], status: number): Answer => {
      if (single) {
        return rows.length === 1 ? json(status, project(rows[0]))
          : json(406, { code: 'PGRST116', details: `The result contains ${rows.length} rows`, hint: null, message: 'Cannot coerce the result to a single JSON object' });
      }
      return json(status, rows.map(project));
    };
    if (method === 'GET') {
      const rows = table.rows.filter(visible);
      return answer(query.get('limit') ? rows.slice(0, Number(query.get('limit'))) : rows, 200);
    }
    if (method === 'POST') {
      const inserted: Row[] = [];
      for (const values of Array.isArray(body) ? body : [body]) {
        const row: Row = { id: randomUUID(), owner: values.owner ?? caller.sub, note: values.note };
        if (caller.role === 'anon' || (caller.role === 'authenticated' && !bypass && (!table.ownerPolicy || row.owner !== caller.sub))) {
          return json(403, { code: '42501', details: null, hint: null, message: `new row violates row-level security policy for table "${name}"` });
        }
        inserted.push(row);
      }
      table.rows.push(...inserted);
      return String(headers.prefer ?? '').includes('return=representation') ? answer(inserted, 201) : { status: 201 };
    }
    return json(405, { message: 'method not allowed' });
  };

  // ---- Storage API ----
  const storageError = (status: number, error: string, message: string): Answer => json(status, { statusCode: String(status), error, message });
  const allowed = (caller: { role: string; sub?: string }, bucket: string, path: string, command: string) => caller.role === 'service_role'
    || (caller.role === 'authenticated' && path.split('/')[0] === caller.sub
      && [...state.storagePolicies.values()].some((p) => p.bucket === bucket && p.command === command));
  const storage = (method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Answer => {
    const publicObject = /^\/object\/public\/([a-z0-9-]+)\/(.+)$/.exec(path);
    if (method === 'GET' && publicObject) {
      const [, bucketName, objectPath] = publicObject;
      const object = state.buckets.get(bucketName)?.public ? state.buckets.get(bucketName)!.objects.get(objectPath) : undefined;
      if (!object) {
        return storageError(400, 'not_found', 'Object not found');
      }
      const cdn: Record<string, string> = options.cdn && !faults.noCdnHeaders
        ? { 'x-cache': 'Miss from cloudfront', 'via': '1.1 0123456789abcdef.cloudfront.net (CloudFront)' } : {};
      return { status: 200, raw: object.bytes, headers: { 'content-type': object.contentType, ...cdn } };
    }
    if (method === 'GET' && path === '/status') {
      return { status: 200 };
    }
    const caller = roleOf(headers.authorization);
    if (!caller) {
      return storageError(400, 'Unauthorized', 'invalid signature');
    }
    const json_ = () => JSON.parse(body.toString('utf8') || '{}');
    if (method === 'POST' && path === '/bucket') {
      const request = json_();
      if (caller.role !== 'service_role') {
        return storageError(403, 'Unauthorized', 'new row violates row-level security policy');
      }
      if (state.buckets.has(request.id)) {
        return storageError(409, 'Duplicate', 'The resource already exists');
      }
      state.buckets.set(request.id, { public: request.public === true, objects: new Map() });
      return json(200, { name: request.id });
    }
    const bucketPath = /^\/bucket\/([a-z0-9-]+)$/.exec(path);
    if (method === 'DELETE' && bucketPath) {
      const bucket = state.buckets.get(bucketPath[1]);
      if (caller.role !== 'service_role') {
        return storageError(403, 'Unauthorized', 'new row violates row-level security policy');
      }
      if (faults.deleteBucket === bucketPath[1]) {
        return storageError(500, 'internal', 'Internal Server Error');
      }
      if (!bucket) {
        return storageError(404, 'Bucket not found', 'Bucket not found');
      }
      if (bucket.objects.size > 0) {
        return storageError(409, 'InvalidRequest', 'The bucket you tried to delete is not empty');
      }
      state.buckets.delete(bucketPath[1]);
      return json(200, { message: 'Successfully deleted' });
    }
    const removal = /^\/object\/([a-z0-9-]+)$/.exec(path);
    if (method === 'DELETE' && removal) {
      const bucket = state.buckets.get(removal[1]);
      if (!bucket) {
        return storageError(404, 'Bucket not found', 'Bucket not found');
      }
      const removed = (json_().prefixes as string[]).filter((p) => bucket.objects.has(p) && allowed(caller, removal[1], p, 'delete'));
      removed.forEach((p) => bucket.objects.delete(p));
      return json(200, removed.map((p) => ({ name: p, bucket_id: removal[1] })));
    }
    const object = /^\/object\/(?:authenticated\/)?([a-z0-9-]+)\/(.+)$/.exec(path);
    if (object) {
      const [, bucketName, objectPath] = object;
      const bucket = state.buckets.get(bucketName);
      if (!bucket) {
        return storageError(404, 'Bucket not found', 'Bucket not found');
      }
      if (method === 'POST') {
        if (faults.upload || !allowed(caller, bucketName, objectPath, 'insert')) {
          return storageError(403, 'Unauthorized', `new row violates row-level security policy${faults.upload ? ` (${headers.authorization})` : ''}`);
        }
        if (bucket.objects.has(objectPath) && headers['x-upsert'] !== 'true') {
          return storageError(409, 'Duplicate', 'The resource already exists');
        }
        bucket.objects.set(objectPath, { bytes: body, contentType: String(headers['content-type']), owner: caller.sub });
        return json(200, { Key: `${bucketName}/${objectPath}`, Id: randomUUID() });
      }
      if (method === 'GET') {
        const found = bucket.objects.get(objectPath);
        const anonAllowed = faults.anonReadsPrivate && caller.role === 'anon';
        if (!found || (!anonAllowed && !allowed(caller, bucketName, objectPath, 'select'))) {
          return storageError(400, 'not_found', 'Object not found');
        }
        const bytes = Buffer.from(found.bytes);
        if (faults.corruptDownload && caller.role === 'authenticated') {
          bytes[0] = (bytes[0] + 1) % 256;
        }
        return { status: 200, raw: bytes, headers: { 'content-type': found.contentType } };
      }
    }
    return storageError(404, 'not_found', `no route ${method} ${path}`);
  };

  // ---- Edge Functions (the main service verifies the JWT) ----
  const functions = (path: string, headers: http.IncomingHttpHeaders, body: Buffer): Answer => {
    const caller = roleOf(headers.authorization);
    if (!caller) {
      return json(401, { msg: 'Invalid JWT' });
    }
    const handler = options.functions?.[path.slice(1)];
    if (!handler) {
      return json(404, { msg: `function not found: ${path.slice(1)}` });
    }
    const text = body.toString('utf8');
    const answer = handler(text ? JSON.parse(text) : undefined, caller.sub ?? '');
    return json(answer.status, answer.body);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const method = request.method ?? 'GET';
      requests.push(`${method} ${url.pathname}`);
      if (faults.hang === `${method} ${url.pathname}`) {
        return;
      }
      const raw = Buffer.concat(chunks);
      const parsed = () => JSON.parse(raw.toString('utf8') || 'null');
      let answer: Answer;
      const route = (prefix: string) => url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length - 1) : undefined;
      let sub: string | undefined;
      if ((sub = route('/auth/v1/')) !== undefined) {
        answer = kong(request.headers.apikey as string, false) ?? auth(method, sub, url.searchParams, request.headers, parsed());
      } else if ((sub = route('/rest/v1/')) !== undefined) {
        answer = kong(request.headers.apikey as string, false) ?? rest(method, sub, url.searchParams, request.headers, parsed());
      } else if ((sub = route('/pg/')) !== undefined) {
        answer = kong(request.headers.apikey as string, true) ?? (sub === '/query' && method === 'POST' ? pgQuery(request.headers, parsed()) : json(404, {}));
      } else if ((sub = route('/storage/v1/')) !== undefined) {
        answer = storage(method, sub, request.headers, raw);
      } else if ((sub = route('/functions/v1/')) !== undefined && options.functions) {
        answer = functions(sub, request.headers, raw);
      } else if (url.pathname === '/realtime/v1/api/ping') {
        answer = kong(request.headers.apikey as string, false) ?? json(200, { message: 'Success' });
      } else {
        answer = json(404, { message: 'no Route matched with those values' });
      }
      const body = answer.raw ?? (answer.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer.body)));
      response.writeHead(answer.status, {
        ...(answer.raw ? {} : answer.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...answer.headers,
      });
      response.end(body);
    });
  });

  // ---- Realtime: Phoenix channels over a WebSocket, serializer 2.0.0 ----
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const refused = url.pathname === '/realtime/v1/websocket' ? kong(url.searchParams.get('apikey') ?? undefined, false) : json(404, {});
    if (refused || url.searchParams.get('vsn') !== '2.0.0') {
      socket.end(`HTTP/1.1 ${refused?.status ?? 400} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => realtime(ws));
  });

  const send = (ws: WebSocket, joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown) => {
    ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
  };
  /** A user broadcast to a client: binary, kind 4 (userBroadcast), as realtime-js's serializer decodes it. */
  const userBroadcast = (topic: string, event: string, encoding: number, payload: Buffer) => {
    const header = Buffer.from([4, topic.length, event.length, 0, encoding]);
    return Buffer.concat([header, Buffer.from(topic), Buffer.from(event), payload]);
  };
  const presenceState = (topic: string) => Object.fromEntries([...(state.presences.get(topic) ?? new Map()).entries()]
    .map(([key, metas]) => [key, { metas }]));

  const realtime = (ws: WebSocket) => {
    state.sockets.add(ws);
    ws.on('close', () => {
      state.sockets.delete(ws);
      for (const member of state.members.filter((m) => m.socket === ws)) {
        state.members.splice(state.members.indexOf(member), 1);
        state.presences.get(member.topic)?.delete(member.presenceKey);
      }
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        // kind 3 (userBroadcastPush): lengths of join ref, ref, topic, event, metadata; the encoding; then each.
        const kind = data[0];
        if (kind !== 3) {
          return;
        }
        let offset = 7;
        const take = (length: number) => {
          const part = data.subarray(offset, offset + length).toString('utf8');
          offset += length;
          return part;
        };
        const joinRef = take(data[1]);
        const ref = take(data[2]);
        const topic = take(data[3]);
        const event = take(data[4]);
        take(data[5]);
        const encoding = data[6];
        const payload = data.subarray(offset);
        const sender = state.members.find((m) => m.socket === ws && m.topic === topic);
        if (!sender) {
          return;
        }
        if (sender.ack) {
          send(ws, joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} });
        }
        if (!faults.broadcastDropped) {
          for (const member of state.members.filter((m) => m.topic === topic && (m.socket !== ws || m.self))) {
            member.socket.send(userBroadcast(topic, event, encoding, payload));
          }
        }
        return;
      }
      const [joinRef, ref, topic, event, payload] = JSON.parse(data.toString('utf8'));
      if (topic === 'phoenix' && event === 'heartbeat') {
        return send(ws, null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} });
      }
      if (event === 'phx_join') {
        const token = payload.access_token;
        if (token) {
          secretsSeen.add(token);
        }
        const claims = roleOf(token ? `Bearer ${token}` : undefined);
        state.joins.push({ topic, role: claims?.role, sub: claims?.sub });
        if (faults.joinRefused || (token && !claims)) {
          return send(ws, joinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason: faults.joinRefused ?? 'Invalid JWT' } });
        }
        const config = payload.config ?? {};
        const member: Member = {
          socket: ws,
          topic,
          joinRef,
          self: config.broadcast?.self === true,
          ack: config.broadcast?.ack === true,
          presenceKey: config.presence?.key || randomUUID(),
        };
        state.members.push(member);
        send(ws, joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } });
        if (config.presence?.enabled) {
          send(ws, joinRef, null, topic, 'presence_state', presenceState(topic));
        }
        return;
      }
      const member = state.members.find((m) => m.socket === ws && m.topic === topic);
      if (event === 'phx_leave') {
        if (member) {
          state.members.splice(state.members.indexOf(member), 1);
          state.presences.get(topic)?.delete(member.presenceKey);
        }
        send(ws, joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} });
        return send(ws, joinRef, ref, topic, 'phx_close', {});
      }
      if (event === 'presence' && member && payload.event === 'track') {
        send(ws, joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} });
        const meta = { phx_ref: randomUUID().slice(0, 8), ...payload.payload };
        const byKey = state.presences.get(topic) ?? new Map<string, Record<string, unknown>[]>();
        state.presences.set(topic, byKey);
        byKey.set(member.presenceKey, [meta]);
        if (!faults.presenceDropped) {
          for (const m of state.members.filter((x) => x.topic === topic)) {
            send(m.socket, m.joinRef, null, topic, 'presence_diff', { joins: { [member.presenceKey]: { metas: [meta] } }, leaves: {} });
          }
        }
        return;
      }
      if (ref) {
        send(ws, joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} });
      }
    });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    secretsSeen,
    requests,
    sql,
    isClean: () => state.users.size === 0 && state.tables.size === 0 && state.storagePolicies.size === 0 && state.buckets.size === 0
      && state.sockets.size === 0 && state.members.length === 0,
    close: async () => {
      for (const ws of state.sockets) {
        ws.terminate();
      }
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
