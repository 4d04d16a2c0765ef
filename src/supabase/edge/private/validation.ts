import { Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkCertificate, checkWebAcl } from '../../../private/arn-checks';

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
