import { RemovalPolicy, aws_certificatemanager as acm, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { SupabaseCacheSettings } from './cache/cache-settings';
import { SupabaseCdnSettings } from './edge/cdn-settings';
import type { SupabaseObservability, SupabaseObservabilityOptions } from './observability';
import type { SupabaseOnAws } from './supabase-on-aws';
import { SupabaseCluster, SupabaseClusterOptions } from '../eks';
import { SupabaseNetwork, SupabaseNetworkProps } from '../networking';
import { SupabaseDatabase, SupabaseDatabaseOptions } from '../rds';
import { SupabaseSecrets, SupabaseSecretsProps } from '../secrets';
import { SupabaseStorage, SupabaseStorageProps } from '../storage';
import { SupabaseServicesOptions } from './workloads/services-options';

/**
 * The tiers of an existing VPC that {@link SupabaseOnAws} deploys into (its `vpc` prop).
 */
export interface SupabaseVpcSubnets {
  /**
   * The subnets of the internet-facing load balancer. They need the tag `kubernetes.io/role/elb=1` for the AWS
   * Load Balancer Controller to find them, and must span at least two availability zones (an Application Load
   * Balancer needs two).
   *
   * @default { subnetType: ec2.SubnetType.PUBLIC }
   */
  readonly loadBalancer?: ec2.SubnetSelection;

  /**
   * The private subnets with egress of the cluster's nodes and pods and of the database's functions.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly eks?: ec2.SubnetSelection;

  /**
   * The subnets of the database.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly database?: ec2.SubnetSelection;
}

/**
 * Properties of {@link SupabaseOnAws}.
 *
 * Each part (network, secrets, cluster, database, storage) is either passed in, when it lives elsewhere (another
 * stack of the same app, or a part your team already runs), or created here with the matching settings.
 */
export interface SupabaseOnAwsProps extends SupabaseServicesOptions {
  /**
   * The ACM certificate of the load balancer's HTTPS listener, valid for the host of `publicUrl`.
   * Checked at synth when imported by ARN: an ACM certificate (not an IAM server certificate) of this stack's region.
   *
   * @default - HTTP only, with a synth-time warning
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The ARN of a regional AWS WAF web ACL for the load balancer (`arn:aws:wafv2:<region>:<account>:regional/webacl/
   * ...`). A CloudFront-scoped ACL goes in `cdn.webAclArn`.
   * Checked at synth: a wafv2 web ACL of the REGIONAL scope in this stack's region.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * A CloudFront distribution in front of the load balancer, serving `publicUrl`: it caches Storage's public objects
   * and passes every other request through; the load balancer then admits only the distribution. Needs
   * `certificate`. See docs/services-and-security.md.
   *
   * @default - no CDN: clients reach the load balancer directly
   */
  readonly cdn?: SupabaseCdnSettings;

  /**
   * What happens to what this construct keeps beside the parts when it leaves the stack: the load balancer's and
   * the CDN's access-log buckets, the CDN's origin secret and the cache's AUTH token, and the observability's log
   * groups and key (unless `observabilityOptions.removalPolicy`). The cache itself follows `cache.removalPolicy`.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether container logs and metrics go to CloudWatch and the database and cluster are watched by alarms and a
   * dashboard ({@link SupabaseObservability}).
   *
   * @default true
   */
  readonly observability?: boolean;

  /**
   * The settings of the observability created here: the alarm topic, thresholds, log retention. Only with
   * `observability` on.
   *
   * @default - SupabaseObservability's defaults
   */
  readonly observabilityOptions?: SupabaseObservabilityOptions;

  /**
   * Runs every service at zero pods on a cross-region read replica: a disaster-recovery site's pilot-light standby.
   * Needs a replica database (`replicaOf`) and the standby's secrets (`primaryRegion`); to take over, promote the
   * replica and deploy with `standby` off. See docs/disaster-recovery.md.
   *
   * @default false
   */
  readonly standby?: boolean;

  /**
   * The network. Pass it when it lives in another stack (see the examples' three-stack layout).
   *
   * @default - a new SupabaseNetwork with `networkProps`, unless `vpc` is given, or both `cluster` and `database`
   * are (they carry their VPC)
   */
  readonly network?: SupabaseNetwork;

  /**
   * An existing VPC to deploy into instead of a SupabaseNetwork, e.g. your organisation's shared VPC; its tiers are
   * given by `vpcSubnets`. Only without `network` and `networkProps`. The database's functions may then reach AWS
   * APIs on 443 at any address (through your NAT gateways or your interface endpoints, whichever the VPC has).
   *
   * @default - the network's VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The tiers of `vpc`. Only with `vpc`.
   *
   * @default - public subnets for the load balancer, private subnets with egress for the cluster, isolated subnets
   * for the database
   */
  readonly vpcSubnets?: SupabaseVpcSubnets;

  /**
   * The settings of the network created here. Only without `network`.
   *
   * @default - SupabaseNetwork's defaults: three zones, a NAT gateway per zone, interface endpoints
   */
  readonly networkProps?: SupabaseNetworkProps;

  /**
   * The secrets (JWT secret, API keys, dashboard and service keys, SMTP).
   *
   * @default - new SupabaseSecrets with `secretsProps`
   */
  readonly secrets?: SupabaseSecrets;

  /**
   * The settings of the secrets created here, e.g. SMTP. Only without `secrets`.
   *
   * @default - SupabaseSecrets' defaults
   */
  readonly secretsProps?: SupabaseSecretsProps;

  /**
   * The EKS cluster.
   *
   * @default - a new SupabaseCluster in the network's EKS subnets with `clusterOptions`
   */
  readonly cluster?: SupabaseCluster;

  /**
   * The settings of the cluster created here: version, node groups, admin roles, secrets encryption key. Only
   * without `cluster`.
   *
   * @default - SupabaseCluster's defaults
   */
  readonly clusterOptions?: SupabaseClusterOptions;

  /**
   * The database.
   *
   * @default - a new SupabaseDatabase in the network's database subnets with `databaseOptions`
   */
  readonly database?: SupabaseDatabase;

  /**
   * The settings of the database created here: instance type, Multi-AZ, backups, encryption key. Only without
   * `database`.
   *
   * @default - SupabaseDatabase's defaults (Multi-AZ, deletion protection, snapshot on removal)
   */
  readonly databaseOptions?: SupabaseDatabaseOptions;

  /**
   * The Storage API's bucket. It must be in the cluster's stack.
   *
   * @default - a new SupabaseStorage with `storageProps`
   */
  readonly storage?: SupabaseStorage;

  /**
   * An ElastiCache replication group (Valkey by default) for Edge Functions (`REDIS_URL`) and your own services:
   * encrypted, AUTH token delivered as the Kubernetes Secret `supabase-cache`, reachable only from the cluster.
   * See docs/services-and-security.md.
   *
   * @default - no cache
   */
  readonly cache?: SupabaseCacheSettings;

  /**
   * Whether S3 Transfer Acceleration is on for the Storage bucket, for your own tools that move objects to and from
   * S3 from far away (Supabase's Storage API does not use it). With a given `storage`, set it there instead.
   *
   * @default - the bucket's setting (`storageProps.transferAcceleration`, off unless set)
   */
  readonly transferAcceleration?: boolean;

  /**
   * The settings of the bucket created here. Only without `storage`.
   *
   * @default - SupabaseStorage's defaults (retained, versioned, KMS-encrypted)
   */
  readonly storageProps?: SupabaseStorageProps;
}
