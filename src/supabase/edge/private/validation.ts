import { Stack, aws_certificatemanager as acm, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkCertificate, checkWebAcl } from '../../../private/arn-checks';
import { configError } from '../../../private/errors';
import { selectedZones } from '../../../private/zones';

/**
 * Throws when a CDN setting cannot work: a certificate that is not an ACM certificate of us-east-1, a web ACL that is
 * not a wafv2 web ACL of the CLOUDFRONT scope. Tokens are skipped.
 */
export function validateCdnSettings(scope: Construct, certificate: acm.ICertificate, webAclArn: string | undefined) {
  checkCertificate(scope, 'cdn.certificate', certificate, {
    region: 'us-east-1',
    regionOf: 'CloudFront',
    regionWhy: `it takes certificates from us-east-1 only; the load balancer keeps \`certificate\` from ${Stack.of(scope).region}`,
  });
  checkWebAcl(scope, 'cdn.webAclArn', webAclArn, 'CLOUDFRONT');
}

/**
 * Throws unless the load balancer's certificate is an ACM certificate of the stack's region and its web ACL a wafv2
 * web ACL of the REGIONAL scope in that region. Tokens are skipped.
 */
export function validateLoadBalancerArns(scope: Construct, certificate: acm.ICertificate | undefined, webAclArn: string | undefined) {
  checkCertificate(scope, 'certificate', certificate, {
    regionOf: 'the load balancer',
    regionWhy: 'a load balancer takes ACM certificates of its own region only',
  });
  checkWebAcl(scope, 'webAclArn', webAclArn, 'REGIONAL');
}

/**
 * The load balancer's subnets (`vpcSubnets.loadBalancer` of `vpc`) span at least two availability zones: an
 * Application Load Balancer needs subnets in two. Skipped when a subnet's zone is a token.
 */
export function validateLoadBalancerZones(scope: Construct, vpc: ec2.IVpc, selection: ec2.SubnetSelection): void {
  const zones = selectedZones(vpc, selection);
  if (zones && zones.length < 2) {
    throw configError(scope, `\`vpcSubnets.loadBalancer\` selects subnets of \`vpc\` in ${zones.length === 0 ? 'no availability zone' : `one availability zone (${zones[0]})`}; an Application Load Balancer needs subnets in at least two zones. Pass a VPC with public subnets in two or more zones, or widen \`vpcSubnets.loadBalancer\`.`);
  }
}
