import { secretLeaks } from './secret-leaks';

describe('secretLeaks, the scan of templates and manifests', () => {
  test.each([
    ['an opaque API key', 'key: sb_secret_AAECAwQFBgcICQoLDA0ODx_A-Z1geaT', 'opaque API key'],
    ['a publishable key inside a manifest string', JSON.stringify(JSON.stringify({ v: 'sb_publishable_AAECAwQFBgcICQoLDA0ODx_OYGWIoEC' })), 'opaque API key'],
    ['a private JWK', JSON.stringify({ kty: 'EC', d: 'q8Zr2VbN4mXc7LkP0sTw9YhG3jDf6AeR1uIo5pQa_x' }), 'JWK key material'],
    ['a symmetric JWK, escaped twice', JSON.stringify(JSON.stringify({ kty: 'oct', k: 'cThaUjJWYk40bVhjN0xrUDBzVHc5WWhHM2pEZjZBZVIxdUlvNXBRYQ' })), 'JWK key material'],
    ['a JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlc2ln', 'JWT eyJhbGciOiJF...'],
    ['a secret key map as a plain value', JSON.stringify({ name: 'SUPABASE_SECRET_KEYS', value: '{}' }), 'SUPABASE_SECRET_KEYS as a plain value'],
  ])('finds %s', (_name, text, leak) => {
    expect(secretLeaks(text)).toContain(leak);
  });

  test('placeholders, key names and public values are no leak', () => {
    expect(secretLeaks([
      '${SUPABASE_PUBLISHABLE_KEY}', 'sb_secret_', '{"kid":"6f1c","x":"short"}', 'secretKey_default', '"d":"abc"',
      JSON.stringify({ name: 'KONG_PLUGINS', value: 'request-transformer,pre-function' }),
    ].join('\n'))).toEqual([]);
  });
});
