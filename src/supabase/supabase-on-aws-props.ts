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
   * Load Balancer Controller to find them.
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
   *
   * @default - HTTP only, with a synth-time warning
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The ARN of a regional AWS WAF web ACL for the load balancer (`arn:aws:wafv2:<region>:<account>:regional/webacl/
   * ...`). A CloudFront-scoped ACL goes in `cdn.webAclArn`.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * A CloudFront distribution in front of the load balancer, serving `publicUrl`: it caches Storage's public
   * objects at the edge (`/storage/v1/object/public/*`) and passes every other request through uncached. The load
   * balancer then forwards only requests that come through the distribution (they carry a header whose value is
   * a Secrets Manager secret); point the public host's DNS name at the distribution. It needs `certificate` (the
   * distribution reaches the load balancer over HTTPS).
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
   * Runs every service at zero pods, without autoscalers, on a cross-region read replica: the pilot-light standby of
   * a disaster-recovery site, with the Deployments, Secrets, network policies and load balancer in place. It needs a
   * read replica database (`databaseOptions.replicaOf`, or a `database` made with `replicaOf`) and the standby's
   * secrets (`secretsProps.primaryRegion`, or `secrets` made with it). To take over, promote the replica, then
   * deploy with `standby` off (see docs/disaster-recovery.md).
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
   * An Amazon ElastiCache replication group (Valkey by default) in the cluster's subnets, for Edge Functions
   * (`REDIS_URL`) and your own services: encrypted at rest and in transit (TLS required), authenticated with an AUTH
   * token from Secrets Manager that External Secrets delivers as the Kubernetes Secret `supabase-cache` (`host`,
   * `port`, `password`, `url`), reachable only from the cluster. Supabase's own services do not use a cache.
   *
   * @default - no cache
   */
  readonly cache?: SupabaseCacheSettings;

  /**
   * Whether S3 Transfer Acceleration is enabled on the Storage bucket, for tools of your own that move objects
   * directly to and from S3 from far away (bulk imports, backups, a migration). Supabase's Storage API does not use
   * it: it runs beside the bucket, and clients reach objects through it (or through `cdn`). Accelerated transfers
   * cost extra per gigabyte. With a given `storage`, set it on that SupabaseStorage instead.
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
