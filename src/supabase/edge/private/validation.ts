import { Arn, ArnFormat, Stack, Token, aws_certificatemanager as acm, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../../private/errors';
import { selectedZones } from '../../../private/zones';

/**
 * Throws when a CDN setting cannot work: a certificate outside us-east-1, a web ACL that is not CloudFront-scoped.
 * Tokens are skipped.
 */
export function validateCdnSettings(scope: Construct, certificate: acm.ICertificate, webAclArn: string | undefined) {
  const certificateRegion = regionOf(certificate.certificateArn) ?? concreteRegion(certificate);
  if (certificateRegion !== undefined && certificateRegion !== 'us-east-1') {
    throw configError(scope, `\`cdn.certificate\` is in ${certificateRegion} (${Token.isUnresolved(certificate.certificateArn) ? certificate.node.path : certificate.certificateArn}), but CloudFront takes certificates from us-east-1 only. Request a certificate for the public host in us-east-1 and pass it (e.g. acm.Certificate.fromCertificateArn with its ARN); the load balancer keeps \`certificate\` from ${Stack.of(scope).region}.`);
  }
  if (webAclArn !== undefined && !Token.isUnresolved(webAclArn) && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[^/]+\/[^/]+$/.test(webAclArn)) {
    throw configError(scope, `\`cdn.webAclArn\` is '${webAclArn}', which is not a CloudFront-scoped web ACL. CloudFront takes AWS WAF web ACLs of the CLOUDFRONT scope, created in us-east-1: arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>. A regional ACL belongs in \`webAclArn\` (the load balancer's).`);
  }
}

/** Throws when the load balancer's web ACL is CloudFront-scoped. Tokens are skipped. */
export function validateRegionalWebAcl(scope: Construct, webAclArn: string | undefined) {
  if (webAclArn !== undefined && !Token.isUnresolved(webAclArn) && webAclArn.includes(':global/webacl/')) {
    throw configError(scope, `\`webAclArn\` is '${webAclArn}', a CloudFront-scoped (global) web ACL, which a load balancer cannot use. Pass a REGIONAL web ACL of ${Stack.of(scope).region} (arn:aws:wafv2:${Stack.of(scope).region}:<account>:regional/webacl/...), or put this one on the distribution as \`cdn.webAclArn\`.`);
  }
}

function regionOf(arn: string): string | undefined {
  if (Token.isUnresolved(arn)) {
    return undefined;
  }
  return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region;
}

/**
 * The region of a certificate made in this app (its ARN is a token until deployment): its stack's, when known. An
 * imported certificate (no resource of its own) is only known by its ARN.
 */
function concreteRegion(certificate: acm.ICertificate): string | undefined {
  if (certificate.node.defaultChild === undefined) {
    return undefined;
  }
  const region = Stack.of(certificate).region;
  return Token.isUnresolved(region) ? undefined : region;
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
