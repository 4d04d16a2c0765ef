import {
  Duration,
  RemovalPolicy,
  Validations,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_s3 as s3,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../../eks/supabase-cluster';
import { createLogBucket } from '../../private/log-bucket';
import { WARNINGS, warn } from '../../private/warnings';
import { PORTS } from '../private/ports';

/** The load balancer's TLS policy: TLS 1.3 and 1.2 only, forward secrecy. */
export const ALB_SSL_POLICY = elbv2.SslPolicy.RECOMMENDED_TLS; // ELBSecurityPolicy-TLS13-1-2-2021-06

export interface PublicLoadBalancerProps {
  readonly cluster: SupabaseCluster;
  /** The public subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** The HTTPS listener's certificate; without it the load balancer serves HTTP only. */
  readonly certificate?: acm.ICertificate;
  /** A regional AWS WAF web ACL to associate. */
  readonly webAclArn?: string;
  /** What happens to the access-log bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * A header that requests must carry to reach Kong (name and value; the value a dynamic reference to a secret).
   * Without it the HTTPS listener forwards every request; with it, the others get 403.
   */
  readonly requiredHeader?: { readonly name: string; readonly value: string };
}

/**
 * The public entry, owned by CloudFormation: an internet-facing Application Load Balancer in the public subnets with
 * access logs, an HTTPS listener (TLS 1.2+, HTTP redirected) and a target group of Kong's pods (IP targets), which
 * the AWS Load Balancer Controller fills through a TargetGroupBinding. Being a CDK resource, its name and metrics are
 * known at synth: alarms and DNS records can refer to it.
 */
export class PublicLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const vpc = props.cluster.cluster.vpc;
    const https = props.certificate !== undefined;
    if (!https) {
      warn(this, WARNINGS.workloadsHttpOnly,
        'No `certificate`: the load balancer serves HTTP only, and API keys, passwords and tokens cross the internet in clear text. Pass an ACM certificate for the public domain.');
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Supabase public load balancer of ${this.node.path}: ${https ? 'HTTPS and HTTP (redirected)' : 'HTTP'} from the internet, to Kong`,
      allowAllOutbound: false,
    });
    if (https) {
      this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from clients');
    }
    this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), https ? 'HTTP, redirected to HTTPS' : 'HTTP from clients');
    Validations.of(this.securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The public Supabase API: clients anywhere call it on 443 (80 only redirects). The load balancer forwards only to Kong, and AWS WAF can be associated (webAclArn).',
    });
    // Kong's proxy and status ports on the pods, which use the nodes' security groups. The rules live here, beside
    // the load balancer, so the cluster's stack never refers to this one.
    props.cluster.connections.securityGroups.forEach((group, i) => {
      for (const port of [PORTS.kong, PORTS.kongStatus]) {
        const description = `Supabase load balancer to Kong (${port})`;
        this.securityGroup.addEgressRule(group, ec2.Port.tcp(port), description);
        new ec2.CfnSecurityGroupIngress(this, `KongIngress${i}Port${port}`, {
          groupId: group.securityGroupId,
          sourceSecurityGroupId: this.securityGroup.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description,
        });
      }
    });

    // Elastic Load Balancing delivers access logs only to SSE-S3 buckets.
    this.logBucket = createLogBucket(this, 'AccessLogs', {
      logsOf: 'the load balancer\'s',
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc,
      vpcSubnets: props.subnets,
      internetFacing: true,
      securityGroup: this.securityGroup,
      // Drop malformed headers (request smuggling); Realtime's WebSockets stay open while they are used.
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(120),
    });
    this.loadBalancer.logAccessLogs(this.logBucket, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Kong', {
      vpc,
      targetType: elbv2.TargetType.IP,
      port: PORTS.kong,
      protocol: elbv2.ApplicationProtocol.HTTP,
      deregistrationDelay: Duration.seconds(30),
      // Kong's status listener answers 200 once its configuration is loaded.
      healthCheck: { path: '/status/ready', port: String(PORTS.kongStatus), healthyHttpCodes: '200' },
    });

    if (https) {
      const listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate!],
        sslPolicy: ALB_SSL_POLICY,
        ...(props.requiredHeader
          ? { defaultAction: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }) }
          : { defaultTargetGroups: [this.targetGroup] }),
        open: false,
      });
      if (props.requiredHeader) {
        listener.addAction('RequiredHeader', {
          priority: 1,
          conditions: [elbv2.ListenerCondition.httpHeader(props.requiredHeader.name, [props.requiredHeader.value])],
          action: elbv2.ListenerAction.forward([this.targetGroup]),
        });
      }
      this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
        open: false,
      });
    } else {
      this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.targetGroup],
        open: false,
      });
    }

    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: props.webAclArn,
      });
    }
  }
}
