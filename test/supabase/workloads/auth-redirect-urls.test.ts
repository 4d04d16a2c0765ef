import { Stack } from 'aws-cdk-lib';
import { validateRedirectPattern } from '../../../src/supabase/workloads/private/validation';
import { buildWorkloads } from '../fixture';

const SITE = 'https://app.example.com';

describe('redirect URL patterns (auth.additionalRedirectUrls)', () => {
  const check = (value: any) => () => validateRedirectPattern(new Stack(), 'auth.additionalRedirectUrls[2]', value);

  test.each([
    'https://*.example.com/**', 'http://localhost:3000/**', 'myapp://callback', 'com.example.app:/oauth', 'exp://192.168.1.2:8081/--/**',
    'https://app.example.com/[a-z]*', 'https://{app}.example.com/**', 'https://example.com/a\\[b', 'https://example.com/}',
  ])('accepts %s', (value) => {
    expect(check(value)).not.toThrow();
  });

  test.each([
    ['no scheme', 'app.example.com/**', /`auth.additionalRedirectUrls\[2\]` is "app.example.com\/\*\*"; it must be an absolute URL pattern with a scheme, e\.g\. 'https:\/\/\*\.example\.com\/\*\*' or 'myapp:\/\/callback'/],
    ['a path alone', '/callback', /is "\/callback"; it must be an absolute URL pattern/],
    ['an http URL without host', 'https:///callback', /it must be an absolute URL pattern/],
    ['a blank entry', ' ', /is " "; it must be an absolute URL pattern/],
    ['an empty entry', '', /is ""; it must be an absolute URL pattern/],
    ['a comma', 'https://{a,b}.example.com/**', /which has a comma \(Auth reads the list split on commas/],
    ['whitespace', 'https://example.com/a b', /which has whitespace/],
    ['an unclosed range', 'https://example.com/[a-z', /whose glob has an unclosed \[ or \{.*Auth would not start/],
    ['an unclosed alternative', 'https://{app.example.com/**', /whose glob has an unclosed/],
    ['a trailing backslash', 'https://example.com/\\', /ends with a lone backslash/],
  ])('rejects %s', (_, value, message) => {
    expect(check(value)).toThrow(message);
  });

  test('SupabaseWorkloads checks each entry and names its index', () => {
    expect(() => buildWorkloads({ auth: { siteUrl: SITE, additionalRedirectUrls: ['https://a.example.com/**', 'b.example.com'] } }))
      .toThrow(/`auth.additionalRedirectUrls\[1\]` is "b.example.com"; it must be an absolute URL pattern with a scheme/);
  });
});
