import { aws_certificatemanager as acm } from 'aws-cdk-lib';

/**
 * A CloudFront distribution in front of the API's load balancer ({@link SupabaseOnAwsProps.cdn}).
 *
 * It caches only Storage's public objects (`/storage/v1/object/public/*`, for as long as their `Cache-Control`
 * says); every other request, WebSocket upgrades for Realtime included, passes through uncached with all its
 * headers, cookies and query strings. Viewers connect with TLS 1.2 or newer; the distribution reaches the load
 * balancer over HTTPS with a secret header that the load balancer requires.
 */
export interface SupabaseCdnSettings {
  /**
   * The distribution's ACM certificate, valid for the host of `publicUrl`. CloudFront takes certificates from
   * us-east-1 only: create it there (e.g. in a small us-east-1 stack, or in the console) and import it by ARN.
   * Checked at synth: an ACM certificate of us-east-1.
   */
  readonly certificate: acm.ICertificate;

  /**
   * The ARN of an AWS WAF web ACL with the CLOUDFRONT scope (created in us-east-1, `arn:aws:wafv2:us-east-1:...:
   * global/webacl/...`).
   * Checked at synth: a wafv2 web ACL of the CLOUDFRONT scope.
   *
   * @default - no web ACL on the distribution
   */
  readonly webAclArn?: string;
}
