import {
  Duration,
  Fn,
  RemovalPolicy,
  Token,
  Validations,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_elasticloadbalancingv2 as elbv2,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createLogBucket } from '../../private/log-bucket';

/** The only paths the distribution caches: Storage's public objects, which anyone may read without a key. */
export const CACHED_PATH = '/storage/v1/object/public/*';

export interface ContentDeliveryProps {
  /** The load balancer in front of Kong; it must have an HTTPS listener with a certificate for the public host. */
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  /** The public URL; its host is the distribution's alternate domain name. */
  readonly publicUrl: string;
  /** The viewer certificate, in us-east-1. */
  readonly certificate: acm.ICertificate;
  /** A CLOUDFRONT-scoped web ACL. */
  readonly webAclArn?: string;
  /** The header the load balancer requires (its value a dynamic reference, resolved by CloudFormation at deployment). */
  readonly originHeader: { readonly name: string; readonly value: string };
  /** What happens to the access-log bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A CloudFront distribution in front of the public load balancer: Storage's public objects cached at the edge,
 * everything else passed through uncached, access logs to a private bucket.
 */
export class ContentDelivery extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ContentDeliveryProps) {
    super(scope, id);
    const host = hostOf(props.publicUrl);

    // The origin is the load balancer's DNS name, but the viewer's Host header (the public host) is forwarded, so
    // CloudFront checks the load balancer's certificate against the public host, which that certificate covers.
    const origin = new origins.LoadBalancerV2Origin(props.loadBalancer, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      customHeaders: { [props.originHeader.name]: props.originHeader.value },
      // The longest CloudFront allows without a quota increase: slow queries and uploads, Realtime's WebSockets.
      readTimeout: Duration.seconds(60),
      keepaliveTimeout: Duration.seconds(60),
    });

    const publicObjects = new cloudfront.CachePolicy(this, 'PublicObjects', {
      comment: 'Supabase Storage public objects: keyed on path and query string, for as long as Cache-Control says',
      // Storage answers with the object's Cache-Control (storage-js uploads with max-age=3600 unless told).
      defaultTtl: Duration.hours(1),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const publicObjectRequests = new cloudfront.OriginRequestPolicy(this, 'PublicObjectRequests', {
      comment: 'Supabase Storage public objects: the public host (for the origin certificate) and CORS headers',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(
        'Host', 'Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
    });

    // CloudFront's standard logs are written with an ACL: the bucket must keep ACLs enabled, owner preferred.
    this.logBucket = createLogBucket(this, 'AccessLogs', {
      logsOf: 'the CloudFront distribution\'s',
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: props.removalPolicy,
    });

    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: `Supabase API ${host}`,
      domainNames: [host],
      certificate: props.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // Every header (Authorization, apikey, Host, the WebSocket upgrade's), cookie and query string.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER,
        compress: false,
      },
      additionalBehaviors: {
        [CACHED_PATH]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: publicObjects,
          originRequestPolicy: publicObjectRequests,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The Supabase API serves its clients wherever they are; countries are restricted, if at all, by geo-match rules of the web ACL (cdn.webAclArn).',
    });
  }
}

/** The host of an http(s) URL; for a token, CloudFormation splits it at deployment. */
function hostOf(url: string): string {
  if (Token.isUnresolved(url)) {
    return Fn.select(2, Fn.split('/', url));
  }
  return new URL(url).hostname;
}
