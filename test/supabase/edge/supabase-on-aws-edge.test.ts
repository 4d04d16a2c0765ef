import { App, Fn, Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseOnAws, SupabaseOnAwsProps, SupabaseStorage } from '../../../src';

const env = { account: '123456789012', region: 'eu-west-1' };
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const ALB_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111';
const CDN_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/22222222-2222-2222-2222-222222222222';
const CDN_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/supabase/33333333-3333-3333-3333-333333333333';
/** CloudFront's managed CachingDisabled cache policy and AllViewer origin request policy. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';

let imports = 0;

function supabaseProps(stack: Stack, overrides: Partial<SupabaseOnAwsProps> = {}): SupabaseOnAwsProps {
  imports += 1;
  return {
    publicUrl: 'https://supabase.example.com',
    auth: { siteUrl: 'https://app.example.com' },
    networkProps: { availabilityZones: AZS },
    certificate: acm.Certificate.fromCertificateArn(stack, `AlbCertificate${imports}`, ALB_CERT),
    cdn: {
      certificate: acm.Certificate.fromCertificateArn(stack, `CdnCertificate${imports}`, CDN_CERT),
      webAclArn: CDN_ACL,
    },
    ...overrides,
  };
}

describe('SupabaseOnAws with a CDN and S3 Transfer Acceleration', () => {
  const app = new App();
  const stack = new Stack(app, 'Supabase', { env });
  const supabase = new SupabaseOnAws(stack, 'Supabase', supabaseProps(stack, { transferAcceleration: true }));
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const distribution = () => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  const secretId = stack.getLogicalId(supabase.originSecret!.node.defaultChild as any);
  const secretReference = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
  const albId = stack.getLogicalId(supabase.loadBalancer.node.defaultChild as any);

  test('one distribution serves the public host with the us-east-1 certificate, TLS 1.2 or newer, and the web ACL', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(supabase.distribution).toBeDefined();
    const config = distribution();
    expect(config.Aliases).toEqual(['supabase.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: CDN_CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(config.WebACLId).toBe(CDN_ACL);
  });

  test('every other request passes through uncached, with all headers, cookies and query strings and every method', () => {
    const behaviour = distribution().DefaultCacheBehavior;
    expect(behaviour).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER,
      ViewerProtocolPolicy: 'https-only',
    });
    expect(behaviour.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  });

  test('only Storage\'s public objects are cached: keyed on path and query string, honouring Cache-Control', () => {
    const behaviours = distribution().CacheBehaviors;
    expect(behaviours.map((b: any) => b.PathPattern)).toEqual(['/storage/v1/object/public/*']);
    expect(behaviours[0]).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: ['GET', 'HEAD'],
      ViewerProtocolPolicy: 'https-only',
    });
    const policies = template.findResources('AWS::CloudFront::CachePolicy');
    expect(behaviours[0].CachePolicyId).toEqual({ Ref: Object.keys(policies)[0] });
    expect(Object.values(policies)[0].Properties.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 3600,
      MaxTTL: 31536000,
      ParametersInCacheKeyAndForwardedToOrigin: {
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
      },
    });
    // No Authorization, apikey or cookie reaches the cache key or the origin on this path: a response cached for
    // one viewer is the public object, never a user's data.
    const requests = Object.values(template.findResources('AWS::CloudFront::OriginRequestPolicy'))[0].Properties.OriginRequestPolicyConfig;
    expect(requests.HeadersConfig.Headers).toEqual(['Host', 'Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
    expect(requests.CookiesConfig).toEqual({ CookieBehavior: 'none' });
  });

  test('the origin is the load balancer over HTTPS (TLS 1.2) with the secret header, as a dynamic reference', () => {
    const [origin] = distribution().Origins;
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [albId, 'DNSName'] });
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
      OriginReadTimeout: 60,
    });
    expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'X-Supabase-Origin-Verify', HeaderValue: secretReference }]);
  });

  test('the header\'s value is generated in Secrets Manager, encrypted with the secrets\' key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'supabase/Supabase/Supabase/Secrets/cdn-origin-header',
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(supabase.secrets.encryptionKey.node.defaultChild as any), 'Arn'] },
    });
  });

  test('the load balancer forwards to Kong only requests that carry the header, and answers 403 to the rest', () => {
    const listener = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 443 } }))[0];
    expect(listener.Properties.DefaultActions).toEqual([{
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' },
    }]);
    const rules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.Conditions).toEqual([{
      Field: 'http-header',
      HttpHeaderConfig: { HttpHeaderName: 'X-Supabase-Origin-Verify', Values: [secretReference] },
    }]);
    expect(rules[0].Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/Kong/) } }]);
  });

  test('access logs go to a private bucket that keeps ACLs for CloudFront\'s log delivery', () => {
    const bucketId = distribution().Logging.Bucket['Fn::GetAtt'][0];
    expect(distribution().Logging.Prefix).toBe('cloudfront/');
    const bucket = json.Resources[bucketId];
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  test('outputs the distribution\'s domain name for DNS, and the load balancer as its origin', () => {
    const outputs = Object.entries(json.Outputs as Record<string, any>);
    const output = (id: string) => outputs.find(([k]) => k.startsWith(`Supabase${id}`))![1];
    expect(output('DistributionDomainName').Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SupabaseCdn/), 'DomainName'] });
    expect(output('LoadBalancerDnsName').Description).toMatch(/answers 403 to requests that do not come through the distribution/);
  });

  test('no secret value in the template: the header appears only as references to the secret', () => {
    const text = JSON.stringify(json);
    const headerValues = [...text.matchAll(/X-Supabase-Origin-Verify/g)].length;
    expect(headerValues).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/"HeaderValue":"[^{]/);
  });

  test('passes cdk-nag\'s AwsSolutions pack with no unacknowledged finding on the CDN\'s resources', () => {
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
      .filter((v) => v.violatingResources?.some((r) => /Cdn/.test(r.resourceLogicalId ?? '')));
    expect(findings.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('SupabaseOnAws without a CDN or Transfer Acceleration', () => {
  const app = new App();
  const stack = new Stack(app, 'Supabase', { env });
  const supabase = new SupabaseOnAws(stack, 'Supabase', supabaseProps(stack, { cdn: undefined }));
  const template = Template.fromStack(stack);

  test('has no distribution or origin secret, and the load balancer forwards every HTTPS request to Kong', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(supabase.distribution).toBeUndefined();
    expect(supabase.originSecret).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('Kong') } }],
    });
  });

  test('the bucket is not accelerated and there is no accelerate endpoint output', () => {
    const json = template.toJSON();
    expect(json.Resources[stack.getLogicalId(supabase.storage.bucket.node.defaultChild as any)].Properties.AccelerateConfiguration).toBeUndefined();
    expect(Object.keys(json.Outputs).filter((k) => k.includes('Accelerate'))).toEqual([]);
  });
});

describe('SupabaseOnAws rejects Transfer Acceleration set in two places that disagree', () => {
  test('against a given storage, or against storageProps', () => {
    const app = new App();
    const core = new Stack(app, 'Core', { env });
    const storage = new SupabaseStorage(core, 'Storage');
    const s = new Stack(app, 'Stack', { env });
    expect(() => new SupabaseOnAws(s, 'A', supabaseProps(s, { storage, transferAcceleration: true })))
      .toThrow('Stack/A: `transferAcceleration` is true, but the given `storage` (Core/Storage) has it off. The bucket belongs to that SupabaseStorage');
    expect(() => new SupabaseOnAws(s, 'B', supabaseProps(s, { transferAcceleration: false, storageProps: { transferAcceleration: true } })))
      .toThrow('Stack/B: `transferAcceleration` is false but `storageProps.transferAcceleration` is true. Set it in one place.');
  });
});

describe('SupabaseOnAws rejects a CDN that cannot work', () => {
  const stack = () => new Stack(new App(), 'Stack', { env });

  test('without the load balancer\'s certificate', () => {
    const s = stack();
    expect(() => new SupabaseOnAws(s, 'Supabase', supabaseProps(s, { certificate: undefined })))
      .toThrow('Stack/Supabase: `cdn` is set without `certificate`. CloudFront reaches the load balancer over HTTPS only');
  });

  test('with a certificate outside us-east-1, imported by ARN or made in a stack of another region', () => {
    const s = stack();
    const cdn = { certificate: acm.Certificate.fromCertificateArn(s, 'Ireland', ALB_CERT) };
    expect(() => new SupabaseOnAws(s, 'A', supabaseProps(s, { cdn })))
      .toThrow(`Stack/A: \`cdn.certificate\` '${ALB_CERT}' is in eu-west-1, but CloudFront is in us-east-1 (it takes certificates from us-east-1 only`);
    const made = new acm.Certificate(s, 'Made', { domainName: 'supabase.example.com' });
    expect(() => new SupabaseOnAws(s, 'B', supabaseProps(s, { cdn: { certificate: made } })))
      .toThrow('Stack/B: `cdn.certificate` is in eu-west-1 (Stack/Made), but CloudFront is in us-east-1');
  });

  test('with a web ACL that is not CloudFront-scoped; and a CloudFront-scoped ACL on the load balancer', () => {
    const s = stack();
    const regional = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/supabase/4444';
    const cdn = { certificate: acm.Certificate.fromCertificateArn(s, 'Virginia', CDN_CERT), webAclArn: regional };
    expect(() => new SupabaseOnAws(s, 'A', supabaseProps(s, { cdn })))
      .toThrow(`Stack/A: \`cdn.webAclArn\` '${regional}' is a web ACL of the REGIONAL scope, which CloudFront cannot use`);
    expect(() => new SupabaseOnAws(s, 'B', supabaseProps(s, { cdn: undefined, webAclArn: CDN_ACL })))
      .toThrow(`Stack/B: \`webAclArn\` '${CDN_ACL}' is a web ACL of the CLOUDFRONT scope, which a load balancer cannot use`);
  });

  test('but skips values that are tokens until deployment', () => {
    const s = stack();
    const cdn = {
      certificate: acm.Certificate.fromCertificateArn(s, 'Imported', Fn.importValue('CdnCertificateArn')),
      webAclArn: Fn.importValue('CdnWebAclArn'),
    };
    expect(() => new SupabaseOnAws(s, 'Supabase', supabaseProps(s, { cdn, webAclArn: Fn.importValue('AlbWebAclArn') }))).not.toThrow();
  });
});
