import { Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildWorkloads } from '../fixture';

describe('PublicLoadBalancer without a certificate', () => {
  const { stack, loadBalancer } = buildWorkloads();
  const template = Template.fromStack(stack);

  test('warns that it serves HTTP only', () => {
    Annotations.fromStack(stack).hasWarning(`/${loadBalancer.node.path}`, Match.stringLikeRegexp('No `certificate`'));
  });

  test('listens on HTTP only, forwarding to Kong', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
  });
});

describe('PublicLoadBalancer', () => {
  const { stack, cluster } = buildWorkloads({}, undefined, {
    certificate: acm.Certificate.fromCertificateArn(new Stack(), 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/supabase/abc',
  });
  const template = Template.fromStack(stack);

  test('internet-facing in the public subnets, invalid headers dropped, WebSocket-friendly idle timeout, access logs', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    for (const attribute of [
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      { Key: 'idle_timeout.timeout_seconds', Value: '120' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { LoadBalancerAttributes: Match.arrayWith([attribute]) });
    }
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    });
  });

  test('HTTPS with the certificate and a TLS 1.2+ policy, HTTP redirected, WAF associated', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) })],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/supabase/abc' });
  });

  test('a target group of Kong\'s pods, health-checked on its status port, and the security groups between them', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8000, Protocol: 'HTTP', HealthCheckPath: '/status/ready', HealthCheckPort: '8100', Matcher: { HttpCode: '200' },
    });
    const albGroup = Object.entries(template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('public load balancer') },
    }))[0] as [string, any];
    expect(albGroup[1].Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort])).toEqual([['0.0.0.0/0', 443], ['0.0.0.0/0', 80]]);
    for (const port of [8000, 8100]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: port, ToPort: port, SourceSecurityGroupId: { 'Fn::GetAtt': [albGroup[0], 'GroupId'] },
      });
    }
    expect(cluster.connections.securityGroups.length).toBeGreaterThan(0);
  });
});
