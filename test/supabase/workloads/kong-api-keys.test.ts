/**
 * The gateway's translation of opaque API keys, run in LuaJIT (what Kong runs) against a stand-in for the parts of
 * Kong's PDK it calls, in an environment holding only what Kong's sandbox for untrusted Lua offers. LuaJIT comes
 * from Debian (scripts/ensure-system-packages.sh luajit, run before the tests).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ensureSigningKeys } from '../../../src/secrets/signing-keys.lambda';
import {
  KongApiKeys, apiKeyConsumers, apiKeyTranslation, apiKeyVariables, secretKeyVariable,
} from '../../../src/supabase/workloads/private/kong-api-keys';

const VALUES: Record<string, string> = {
  SUPABASE_ANON_KEY: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.legacy-anon',
  SUPABASE_SERVICE_KEY: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.legacy-service',
  SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_AAECAwQFBgcICQoLDA0ODx_OYGWIoEC',
  SUPABASE_SECRET_KEY_DEFAULT: 'sb_secret_AAECAwQFBgcICQoLDA0ODx_A-Z1geaT',
  SUPABASE_SECRET_KEY_BILLING: 'sb_secret_BBECAwQFBgcICQoLDA0ODx_xxxxxxxx',
  ANON_KEY_ASYMMETRIC: 'eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.internal-anon',
  SERVICE_ROLE_KEY_ASYMMETRIC: 'eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.internal-service',
};
const KEYS: KongApiKeys = { legacy: true, secretKeyNames: ['default', 'billing'] };

/** The template as the start script renders it: each placeholder replaced literally by its value. */
function render(template: string, values: Record<string, string> = VALUES): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_match, name: string) => {
    if (!(name in values)) {
      throw new Error(`no value for ${name}`);
    }
    return values[name];
  });
}

interface Request {
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

/** What the translation sets on the request to the service, for each request. */
function translate(code: string, requests: Request[]): Array<Record<string, string>> {
  const lua = (value: string) => `[==[${value}]==]`;
  const table = (entries: Record<string, string> = {}) =>
    `{ ${Object.entries(entries).map(([k, v]) => `[ ${lua(k.toLowerCase())} ] = ${lua(v)}`).join(', ')} }`;
  const harness = [
    `local code = ${lua(code)}`,
    'local requests = {',
    ...requests.map((r) => `  { headers = ${table(r.headers)}, query = ${table(r.query)} },`),
    '}',
    'for _, request in ipairs(requests) do',
    '  local set = {}',
    '  local kong = {',
    '    request = {',
    '      get_header = function(name) return request.headers[string.lower(name)] end,',
    '      get_query_arg = function(name) return request.query[name] end,',
    '      get_query = function() local copy = {} for k, v in pairs(request.query) do copy[k] = v end return copy end,',
    '    },',
    '    service = { request = {',
    '      set_header = function(name, value) set[#set + 1] = name .. "=" .. value end,',
    '      clear_header = function(name) set[#set + 1] = "-" .. name .. "=" end,',
    '      set_query = function(args) set[#set + 1] = "?apikey=" .. tostring(args.apikey) end,',
    '    } },',
    '  }',
    '  local f = assert(loadstring(code))',
    // Less than Kong's sandbox gives serverless functions (kong/plugins/pre-function/_handler.lua: `kong` and `ngx`
    // over the sandbox's safe standard library): the PDK, `type` and the string library.
    '  setfenv(f, { kong = kong, type = type, string = string })',
    '  f()',
    '  print(table.concat(set, "\\t"))',
    'end',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'kong-lua-'));
  writeFileSync(join(dir, 'harness.lua'), harness);
  const out = execFileSync('luajit', [join(dir, 'harness.lua')], { encoding: 'utf8' });
  return out.split('\n').slice(0, requests.length).map((line) =>
    Object.fromEntries(line.split('\t').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

const bearer = (name: string) => `Bearer ${VALUES[name]}`;
const USER_SESSION = 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.user';

describe('the translation of opaque keys (LuaJIT)', () => {
  const code = render(apiKeyTranslation(KEYS, 'authorization'));

  test.each<[string, Request, Record<string, string>]>([
    ['the publishable key without Authorization: the anon JWT', { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY } }, { Authorization: bearer('ANON_KEY_ASYMMETRIC') }],
    ['the default secret key: the service_role JWT', { headers: { apikey: VALUES.SUPABASE_SECRET_KEY_DEFAULT } }, { Authorization: bearer('SERVICE_ROLE_KEY_ASYMMETRIC') }],
    ['another secret key: the service_role JWT', { headers: { apikey: VALUES.SUPABASE_SECRET_KEY_BILLING } }, { Authorization: bearer('SERVICE_ROLE_KEY_ASYMMETRIC') }],
    ["a user's session next to the publishable key stays", { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY, authorization: USER_SESSION } }, {}],
    ['an opaque key as the bearer (supabase-js before sign-in) is replaced',
      { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${VALUES.SUPABASE_PUBLISHABLE_KEY}` } }, { Authorization: bearer('ANON_KEY_ASYMMETRIC') }],
    ['whatever the case of "Bearer sb_"',
      { headers: { apikey: VALUES.SUPABASE_SECRET_KEY_DEFAULT, authorization: `BEARER ${VALUES.SUPABASE_SECRET_KEY_DEFAULT.toUpperCase()}` } }, { Authorization: bearer('SERVICE_ROLE_KEY_ASYMMETRIC') }],
    ['a secret key in Authorization does not lift a publishable apikey',
      { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${VALUES.SUPABASE_SECRET_KEY_DEFAULT}` } }, { Authorization: bearer('ANON_KEY_ASYMMETRIC') }],
    ['an unknown (or revoked) secret key: nothing', { headers: { apikey: 'sb_secret_CCECAwQFBgcICQoLDA0ODx_zzzzzzzz' } }, {}],
    ['an opaque key only in Authorization: nothing (key-auth wants the apikey)', { headers: { authorization: `Bearer ${VALUES.SUPABASE_SECRET_KEY_DEFAULT}` } }, {}],
    ['a legacy key: nothing, as before', { headers: { apikey: VALUES.SUPABASE_ANON_KEY } }, {}],
    ['the apikey query argument', { query: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY } }, { Authorization: bearer('ANON_KEY_ASYMMETRIC') }],
    ['no key at all: nothing', {}, {}],
  ])('%s', (_name, request, expected) => {
    expect(translate(code, [request])).toEqual([expected]);
  });

  test("Realtime's WebSocket route also gets x-api-key, which its socket reads first", () => {
    const ws = render(apiKeyTranslation(KEYS, 'webSocket'));
    expect(translate(ws, [
      { query: { apikey: VALUES.SUPABASE_SECRET_KEY_BILLING, vsn: '1.0.0' } },
      { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY } },
      { query: { apikey: 'sb_publishable_unknown' } },
    ])).toEqual([
      // The argument stays as it is: key-auth checks it next.
      { 'Authorization': bearer('SERVICE_ROLE_KEY_ASYMMETRIC'), 'x-api-key': VALUES.SERVICE_ROLE_KEY_ASYMMETRIC },
      { 'Authorization': bearer('ANON_KEY_ASYMMETRIC'), 'x-api-key': VALUES.ANON_KEY_ASYMMETRIC },
      {},
    ]);
  });

  test("Edge Functions: the JWT goes into sb-api-key (upstream's main function reads it), Authorization stays, a client's own sb-api-key is dropped", () => {
    const functions = render(apiKeyTranslation(KEYS, 'functions'));
    expect(translate(functions, [
      { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${VALUES.SUPABASE_PUBLISHABLE_KEY}` } },
      { headers: { apikey: VALUES.SUPABASE_PUBLISHABLE_KEY, authorization: USER_SESSION } },
      { headers: { authorization: `Bearer ${VALUES.SUPABASE_SECRET_KEY_DEFAULT}` } },
      { headers: { 'apikey': VALUES.SUPABASE_ANON_KEY, 'sb-api-key': 'forged' } },
      { headers: { apikey: 'sb_secret_CCECAwQFBgcICQoLDA0ODx_zzzzzzzz' } },
    ])).toEqual([
      { '-sb-api-key': '', 'sb-api-key': VALUES.ANON_KEY_ASYMMETRIC },
      { '-sb-api-key': '', 'sb-api-key': VALUES.ANON_KEY_ASYMMETRIC },
      { '-sb-api-key': '', 'sb-api-key': VALUES.SERVICE_ROLE_KEY_ASYMMETRIC },
      { '-sb-api-key': '' },
      { '-sb-api-key': '' },
    ]);
  });

  test('the code leaves the apikey (header and argument) as it is: key-auth checks it after the translation', () => {
    const lua = apiKeyTranslation(KEYS, 'webSocket');
    for (const target of ['authorization', 'webSocket', 'functions'] as const) {
      expect(apiKeyTranslation(KEYS, target)).not.toMatch(/set_query|set_raw_query|clear_query_arg|(set|clear)_header\("apikey"/i);
    }
    expect(lua).not.toMatch(/clear_header/);
  });

  test('the code holds placeholders only, never a key', () => {
    const template = apiKeyTranslation(KEYS, 'webSocket');
    expect(template).not.toMatch(/sb_(publishable|secret)_[A-Za-z0-9]|eyJ/);
    expect([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]).sort()).toEqual([
      'ANON_KEY_ASYMMETRIC', 'SERVICE_ROLE_KEY_ASYMMETRIC', 'SERVICE_ROLE_KEY_ASYMMETRIC',
      'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY_BILLING', 'SUPABASE_SECRET_KEY_DEFAULT',
    ]);
  });
});

describe('with the keys the custom resource generates', () => {
  test('each opaque key becomes a JWT of its role that verifies against the published keys', async () => {
    const sm = mockClient(SecretsManagerClient);
    let stored = '{}';
    sm.on(GetSecretValueCommand).callsFake((input) => (input.SecretId === 'jwt'
      ? { SecretString: JSON.stringify({ jwtSecret: 'x'.repeat(40) }) }
      : { SecretString: stored }));
    sm.on(PutSecretValueCommand).callsFake((input) => {
      stored = input.SecretString;
      return {};
    });
    try {
      await ensureSigningKeys(new SecretsManagerClient({ region: 'eu-west-1' }), {
        JwtSecretArn: 'jwt',
        SigningKeysSecretArn: 'keys',
        InUse: 'key-1',
        LegacyKeys: 'true',
        SecretApiKeys: ['default', 'billing'],
        Issuer: 'supabase',
        LifetimeSeconds: '3600',
      });
    } finally {
      sm.restore();
    }
    const doc = JSON.parse(stored);
    // What the gateway's environment holds (kong-chart.ts: from the signing keys' Secret).
    const code = render(apiKeyTranslation(KEYS, 'authorization'), {
      SUPABASE_PUBLISHABLE_KEY: doc.publishableKey,
      SUPABASE_SECRET_KEY_DEFAULT: doc.secretKey_default,
      SUPABASE_SECRET_KEY_BILLING: doc.secretKey_billing,
      ANON_KEY_ASYMMETRIC: doc.anonKeyAsymmetric,
      SERVICE_ROLE_KEY_ASYMMETRIC: doc.serviceRoleKeyAsymmetric,
    });
    const sent = translate(code, [doc.publishableKey, doc.secretKey_default, doc.secretKey_billing].map((apikey) => ({ headers: { apikey } })));
    const published = createLocalJWKSet(JSON.parse(doc.publicJwks));
    const roles = await Promise.all(sent.map(async (headers) =>
      (await jwtVerify(headers.Authorization.replace(/^Bearer /, ''), published, { algorithms: ['ES256'] })).payload.role));
    expect(roles).toEqual(['anon', 'service_role', 'service_role']);
  });
});

describe('consumers and variables', () => {
  test('without opaque keys: the legacy consumers, exactly as before', () => {
    expect(apiKeyVariables(undefined)).toEqual(['SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_KEY']);
    expect(apiKeyConsumers(undefined)).toEqual([
      { username: 'anon', keyauth_credentials: [{ key: '${SUPABASE_ANON_KEY}' }] },
      { username: 'service_role', keyauth_credentials: [{ key: '${SUPABASE_SERVICE_KEY}' }] },
    ]);
  });

  test('with opaque keys and legacy keys on: both kinds are credentials of the same consumers', () => {
    expect(apiKeyConsumers(KEYS)).toEqual([
      { username: 'anon', keyauth_credentials: [{ key: '${SUPABASE_ANON_KEY}' }, { key: '${SUPABASE_PUBLISHABLE_KEY}' }] },
      {
        username: 'service_role',
        keyauth_credentials: [{ key: '${SUPABASE_SERVICE_KEY}' }, { key: '${SUPABASE_SECRET_KEY_DEFAULT}' }, { key: '${SUPABASE_SECRET_KEY_BILLING}' }],
      },
    ]);
    expect(apiKeyVariables(KEYS)).toEqual([
      'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_KEY', 'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY_DEFAULT',
      'SUPABASE_SECRET_KEY_BILLING', 'ANON_KEY_ASYMMETRIC', 'SERVICE_ROLE_KEY_ASYMMETRIC',
    ]);
  });

  test('legacy keys off: the legacy keys are no longer credentials, nor needed at start', () => {
    const keys = { legacy: false, secretKeyNames: ['default'] };
    expect(apiKeyConsumers(keys)).toEqual([
      { username: 'anon', keyauth_credentials: [{ key: '${SUPABASE_PUBLISHABLE_KEY}' }] },
      { username: 'service_role', keyauth_credentials: [{ key: '${SUPABASE_SECRET_KEY_DEFAULT}' }] },
    ]);
    expect(apiKeyVariables(keys)).not.toContain('SUPABASE_ANON_KEY');
    expect(secretKeyVariable('default')).toBe('SUPABASE_SECRET_KEY_DEFAULT');
  });
});
