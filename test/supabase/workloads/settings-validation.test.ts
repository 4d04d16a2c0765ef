/** The services' settings checks accept what works: the bad inputs themselves are rows of test/synth-errors. */
import { App, Duration, Fn, Size, Stack } from 'aws-cdk-lib';
import { validateImageReference, validateServicesOptions } from '../../../src/supabase/workloads/private/settings-validation';

const scope = () => new Stack(new App(), 'S');
const base = { publicUrl: 'https://api.example.com', auth: { siteUrl: 'https://app.example.com' } };

describe('image references', () => {
  test.each([
    'kong/kong:3.9.3',
    'postgrest/postgrest:v14.17',
    'registry.example.com:5000/team/postgrest:v14.17',
    'Registry.Example.com/team/gotrue:v2.196.0',
    'localhost/gotrue:v2.196.0',
    '111122223333.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/supabase/gotrue:v2.196.0',
    `supabase/gotrue@sha256:${'a'.repeat(64)}`,
    `supabase/gotrue:v2.196.0@sha256:${'a'.repeat(64)}`,
    'my_org/my__image-name:1.0_rc.1',
  ])('accepts %s', (image) => {
    expect(() => validateImageReference(scope(), 'auth', image)).not.toThrow();
  });

  test.each([
    ['Supabase/gotrue:v2.196.0', "Use 'supabase/gotrue:v2.196.0'"],
    ['registry.example.com/Team/Gotrue:v1', "Use 'registry.example.com/team/gotrue:v1'"],
    ['supabase/gotrue:v2:196', 'is not an image reference'],
    ['supabase//gotrue:v2', 'is not an image reference'],
    ['supabase/gotrue:', 'with an empty tag'],
    [' supabase/gotrue:v2', 'contains whitespace'],
  ])('rejects %s', (image, message) => {
    expect(() => validateImageReference(scope(), 'auth', image)).toThrow(message);
  });
});

describe('URLs and limits', () => {
  test.each([
    ['a site URL with a path, a query and a port', { auth: { siteUrl: 'http://localhost:3000/app/?from=auth' } }],
    ['a site URL with a trailing slash', { auth: { siteUrl: 'https://app.example.com/' } }],
    ['an http public URL without a certificate', { publicUrl: 'http://api.example.com' }],
    ['the default port written out', { publicUrl: 'https://api.example.com' }],
    ['a schema list with $ and _', { rest: { schemas: ['api_v1', 'public'], extraSearchPath: [], maxRows: 1 } }],
    ['one byte, one second', { storageApi: { fileSizeLimit: Size.bytes(1) }, auth: { siteUrl: 'https://app.example.com', jwtExpiry: Duration.seconds(1) } }],
  ])('accepts %s', (_what, props) => {
    expect(() => validateServicesOptions(scope(), { ...base, ...props } as any, false)).not.toThrow();
  });

  test('an http public URL is an error with a certificate only', () => {
    expect(() => validateServicesOptions(scope(), { ...base, publicUrl: 'http://api.example.com' }, true))
      .toThrow("Use 'https://api.example.com'");
  });

  test('the default port written out is still a port in the issuer', () => {
    expect(() => validateServicesOptions(scope(), { ...base, publicUrl: 'https://api.example.com:443' }, true))
      .toThrow('must not name a port');
  });

  test('tokens are not checked', () => {
    const url = Fn.importValue('PublicUrl');
    expect(() => validateServicesOptions(scope(), { ...base, publicUrl: url, auth: { siteUrl: url } }, true)).not.toThrow();
  });
});
