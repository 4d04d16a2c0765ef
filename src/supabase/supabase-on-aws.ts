import {
  CfnOutput,
  RemovalPolicy,
  Stack,
  Validations,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_ec2 as ec2,
  aws_elasticache as elasticache,
  aws_elasticloadbalancingv2 as elbv2,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseImages } from './images';
import { WARNINGS, warn } from '../private/warnings';
import { Cache } from './private/cache';
import { CACHED_PATH, ContentDelivery, ORIGIN_HEADER, validateCdnSettings, validateRegionalWebAcl } from './private/content-delivery';
import {
  SupabaseAuthSettings,
  SupabaseCacheSettings,
  SupabaseCdnSettings,
  SupabaseRestSettings,
  SupabaseScalingSettings,
  SupabaseStorageApiSettings,
  SupabaseStudioSettings,
} from './settings';
import { SupabaseObservability, SupabaseObservabilityOptions, SupabaseSecretReplication } from './supabase-observability';
import { SupabaseWorkloads } from './supabase-workloads';
import { SupabaseCluster, SupabaseClusterOptions } from '../eks/supabase-cluster';
import { SupabaseNetwork, SupabaseNetworkProps } from '../networking/supabase-network';
import { stripUndefined } from '../private/strip-undefined';
import { SupabaseDatabase, SupabaseDatabaseOptions } from '../rds';
import { SupabaseSecrets, SupabaseSecretsProps } from '../secrets/supabase-secrets';
import { SupabaseStorage, SupabaseStorageProps } from '../storage/supabase-storage';

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
export interface SupabaseOnAwsProps {
  /**
   * The public URL of the API gateway, e.g. `https://supabase.example.com`: what clients call, what Auth writes
   * into its emails, and where Studio is served (behind basic authentication). Point the domain at the load
   * balancer (for example with ExternalDNS on the cluster, or an alias record) after the first deployment.
   */
  readonly publicUrl: string;

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

  /** Auth's settings: the site URL, redirect allow-list, signup and JWT settings. */
  readonly auth: SupabaseAuthSettings;

  /**
   * PostgREST's settings.
   *
   * @default - schemas public, storage and graphql_public; 1000 rows at most
   */
  readonly rest?: SupabaseRestSettings;

  /**
   * The Storage API's settings.
   *
   * @default - 50 MiB uploads, image transformation on
   */
  readonly storageApi?: SupabaseStorageApiSettings;

  /**
   * Studio's settings.
   *
   * @default - default organization and project names
   */
  readonly studio?: SupabaseStudioSettings;

  /**
   * The container images, per service.
   *
   * @default - the images of self-hosted Supabase 0.8.1
   */
  readonly images?: SupabaseImages;

  /**
   * Replicas and autoscaling, per service.
   *
   * @default - two to ten pods of each autoscaled service at 70 % CPU, two of postgres-meta, one of Studio
   */
  readonly scaling?: SupabaseScalingSettings;

  /**
   * Whether Edge Functions are deployed; they need `images.functions`.
   *
   * @default false
   */
  readonly functions?: boolean;

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

/**
 * Self-hosted Supabase on AWS: a VPC, a private EKS cluster, a bootstrapped PostgreSQL on RDS, an S3 bucket for
 * Storage and Secrets Manager secrets, with the Supabase services on the cluster behind an ALB. Every part it is
 * not given it creates, and it wires them together: External Secrets Operator reads the secrets, the database
 * admits the cluster, the Storage API's service account may use the bucket.
 *
 * Outputs: the API and Studio URLs, the cluster's name and the `aws eks update-kubeconfig` command, and the ARNs
 * of the secrets (never their values).
 */
export class SupabaseOnAws extends Construct {
  /** The network; undefined when the parts run in a VPC of your own (`vpc`, or a given `cluster` and `database`). */
  public readonly network?: SupabaseNetwork;
  /** The VPC of the cluster and the database. */
  public readonly vpc: ec2.IVpc;
  /** The secrets. */
  public readonly secrets: SupabaseSecrets;
  /** The EKS cluster. */
  public readonly cluster: SupabaseCluster;
  /** The database. */
  public readonly database: SupabaseDatabase;
  /** The Storage API's bucket. */
  public readonly storage: SupabaseStorage;
  /** The Kubernetes namespace of the services. */
  public readonly namespace: string;
  /** The public Application Load Balancer in front of Kong; point the public URL's DNS name at it. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The logs, metrics, alarms and dashboard; undefined with `observability` off. */
  public readonly observability?: SupabaseObservability;
  /** The public URL of the API gateway. */
  public readonly publicUrl: string;
  /** The CloudFront distribution in front of the load balancer; undefined without `cdn`. */
  public readonly distribution?: cloudfront.Distribution;
  /** The cache's replication group; undefined without `cache`. */
  public readonly cache?: elasticache.CfnReplicationGroup;
  /** Who may reach the cache (the cluster already may); undefined without `cache`. */
  public readonly cacheConnections?: ec2.Connections;
  /**
   * The cache's AUTH token (JSON field `password`), for your own services outside the cluster; in the cluster, the
   * Kubernetes Secret `supabase-cache` holds it with the host and port. Undefined without `cache`.
   */
  public readonly cacheSecret?: secretsmanager.ISecret;
  /**
   * The secret value of the header that CloudFront sends and the load balancer requires; undefined without `cdn`.
   * CloudFormation resolves it into both at deployment; it is not rotated, and it grants no access to data.
   */
  public readonly originSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SupabaseOnAwsProps) {
    super(scope, id);
    onlyOne(this, 'network', props.network, 'networkProps', props.networkProps);
    onlyOne(this, 'secrets', props.secrets, 'secretsProps', props.secretsProps);
    onlyOne(this, 'cluster', props.cluster, 'clusterOptions', props.clusterOptions);
    onlyOne(this, 'database', props.database, 'databaseOptions', props.databaseOptions);
    onlyOne(this, 'storage', props.storage, 'storageProps', props.storageProps);

    this.validateVpc(props);
    this.validateTransferAcceleration(props);
    validateRegionalWebAcl(this, props.webAclArn);
    if (props.cdn) {
      this.validateCdn(props);
    }

    const ownVpc = props.vpc ?? (props.cluster && props.database ? props.cluster.cluster.vpc : undefined);
    this.network = props.network ?? (ownVpc ? undefined : new SupabaseNetwork(this, 'Network', props.networkProps));
    this.vpc = this.network?.vpc ?? ownVpc!;
    const tiers = this.network ? {
      loadBalancer: this.network.publicSubnets,
      eks: this.network.eksSubnets,
      database: this.network.databaseSubnets,
    } : {
      loadBalancer: props.vpcSubnets?.loadBalancer ?? { subnetType: ec2.SubnetType.PUBLIC },
      eks: props.vpcSubnets?.eks ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      database: props.vpcSubnets?.database ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    };
    this.secrets = props.secrets ?? new SupabaseSecrets(this, 'Secrets', props.secretsProps);
    this.cluster = props.cluster ?? new SupabaseCluster(this, 'Cluster', {
      ...props.clusterOptions,
      vpc: this.vpc,
      vpcSubnets: tiers.eks,
    });
    this.database = props.database ?? new SupabaseDatabase(this, 'Database', {
      ...props.databaseOptions,
      vpc: this.vpc,
      vpcSubnets: tiers.database,
      bootstrapSubnets: tiers.eks,
      // The functions reach Secrets Manager and KMS through the network's interface endpoints; without them (or
      // in a VPC of your own, whose endpoints are unknown here) through any address on 443.
      awsApiPeer: this.network?.endpointSecurityGroup ?? ec2.Peer.anyIpv4(),
    });
    this.storage = props.storage ?? new SupabaseStorage(this, 'Storage', {
      ...props.storageProps,
      transferAcceleration: props.transferAcceleration ?? props.storageProps?.transferAcceleration,
    });
    this.validateStandby(props.standby ?? false);
    if (props.cdn) {
      this.originSecret = this.createOriginSecret(props.removalPolicy ?? RemovalPolicy.RETAIN);
    }
    // A dynamic reference: CloudFormation puts the value in at deployment; the template holds only the secret's ARN.
    const originHeaderValue = this.originSecret?.secretValue.unsafeUnwrap();
    const cache = props.cache ? new Cache(this, 'Cache', {
      ...props.cache,
      vpc: this.vpc,
      subnets: tiers.eks,
      clients: this.cluster,
      secretName: `${this.secrets.secretNamePrefix}/cache-auth-token`,
      secretKey: this.secrets.encryptionKey,
      secretRemovalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    }) : undefined;
    this.cache = cache?.replicationGroup;
    this.cacheConnections = cache?.connections;
    this.cacheSecret = cache?.secret;

    const workloads = new SupabaseWorkloads(this, 'Workloads', {
      cluster: this.cluster,
      secrets: this.secrets,
      database: this.database,
      storage: this.storage,
      publicUrl: props.publicUrl,
      auth: props.auth,
      rest: props.rest,
      storageApi: props.storageApi,
      studio: props.studio,
      images: props.images,
      scaling: props.scaling,
      certificate: props.certificate,
      webAclArn: props.webAclArn,
      functions: props.functions,
      databaseSubnets: tiers.database,
      loadBalancerSubnets: tiers.loadBalancer,
      standby: props.standby,
      removalPolicy: props.removalPolicy,
      cache,
      cacheSubnets: tiers.eks,
      requiredHeader: originHeaderValue ? { name: ORIGIN_HEADER, value: originHeaderValue } : undefined,
    });
    this.namespace = workloads.namespace;
    this.loadBalancer = workloads.loadBalancer.loadBalancer;
    this.publicUrl = props.publicUrl;
    if (props.cdn && originHeaderValue) {
      this.distribution = new ContentDelivery(this, 'Cdn', {
        loadBalancer: this.loadBalancer,
        publicUrl: props.publicUrl,
        certificate: props.cdn.certificate,
        webAclArn: props.cdn.webAclArn,
        originHeaderValue,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      }).distribution;
    }

    if (props.observability === false && props.observabilityOptions) {
      throw new Error(`${this.node.path}: \`observabilityOptions\` is set but \`observability\` is false. Drop the options, or turn observability on.`);
    }
    if (props.observability ?? true) {
      this.observability = new SupabaseObservability(this, 'Observability', {
        removalPolicy: props.removalPolicy,
        ...stripUndefined(props.observabilityOptions ?? {}),
        cluster: this.cluster,
        database: this.database,
        storage: this.storage,
        loadBalancer: workloads.loadBalancer.loadBalancer,
        targetGroup: workloads.loadBalancer.targetGroup,
        secretReplication: secretReplication(this.secrets, this.database),
      });
    }

    const region = Stack.of(this.cluster).region;
    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output('ApiUrl', props.publicUrl, 'The Supabase API (SUPABASE_URL of the client libraries)');
    output('StudioUrl', `${props.publicUrl}/`, 'Studio, behind basic authentication (credentials: DashboardSecretArn)');
    const pointDnsHere = 'Point the public URL\'s DNS name here (a Route 53 alias record, or a CNAME)';
    if (this.distribution) {
      output('DistributionDomainName', this.distribution.distributionDomainName, `${pointDnsHere}; CloudFront caches ${CACHED_PATH}`);
    }
    output('LoadBalancerDnsName', this.loadBalancer.loadBalancerDnsName, this.distribution
      ? 'The CDN\'s origin: it answers 403 to requests that do not come through the distribution'
      : pointDnsHere);
    output('ClusterName', this.cluster.clusterName, 'The EKS cluster');
    output('UpdateKubeconfigCommand', `aws eks update-kubeconfig --region ${region} --name ${this.cluster.clusterName}`,
      'Adds the cluster to your kubeconfig (your role must be one of the cluster\'s admin roles)');
    output('ApiKeysSecretArn', this.secrets.apiKeys.secretArn, 'The anon and service_role keys (anonKey, serviceRoleKey)');
    output('JwtSecretArn', this.secrets.jwtSecret.secretArn, 'The JWT secret the keys are signed with');
    output('DashboardSecretArn', this.secrets.dashboard.secretArn, 'Studio\'s basic-auth user name and password');
    output('StorageBucketName', this.storage.bucket.bucketName, 'The bucket of Supabase Storage\'s objects');
    if (this.storage.batchReplicationRole) {
      output('StorageLogBucketName', this.storage.logBucket.bucketName,
        'The Storage log bucket: the daily replication inventory (inventory/) and the Batch Replication reports (batch-replication/)');
      output('StorageBatchReplicationRoleArn', this.storage.batchReplicationRole.roleArn,
        'The role of S3 Batch Replication jobs that copy what live replication did not (--role-arn of aws s3control create-job)');
    }
    if (this.storage.transferAcceleration) {
      output('StorageAccelerateEndpoint', `${this.storage.bucket.bucketName}.s3-accelerate.amazonaws.com`,
        'The bucket\'s S3 Transfer Acceleration endpoint, for tools that reach S3 directly (the Storage API does not use it)');
    }
    if (cache) {
      output('CacheEndpoint', `${cache.host}:${cache.port}`, 'The cache\'s primary endpoint (TLS required; in the cluster, the Secret supabase-cache holds it)');
      output('CacheSecretArn', cache.secret.secretArn, 'The cache\'s AUTH token (field password)');
    }
    if (this.database.masterSecret) {
      output('DatabaseSecretArn', this.database.masterSecret.secretArn, 'The RDS master user (rotated)');
    }
    if (this.database.replicaStatusFunction) {
      output('DatabaseReplicaStatusFunctionName', this.database.replicaStatusFunction.functionName,
        'Reads the read replica\'s recovery point on the replica (aws lambda invoke): run it before promoting');
    }
    output('DatabaseSecurityGroupId', this.database.connections.securityGroups[0].securityGroupId,
      'The database\'s security group: revoking its ingress and rebooting the instance stops every write, without cluster access');
    if (this.observability) {
      output('AlarmTopicArn', this.observability.alarmTopic.topicArn, 'The topic the alarms notify: subscribe your paging tool to it');
    }
  }

  private validateTransferAcceleration(props: SupabaseOnAwsProps) {
    const wanted = props.transferAcceleration;
    if (wanted === undefined) {
      return;
    }
    if (props.storage && props.storage.transferAcceleration !== wanted) {
      throw new Error(`${this.node.path}: \`transferAcceleration\` is ${wanted}, but the given \`storage\` (${props.storage.node.path}) has it ${props.storage.transferAcceleration ? 'on' : 'off'}. The bucket belongs to that SupabaseStorage: set \`transferAcceleration\` in its props, and drop it here.`);
    }
    const inProps = props.storageProps?.transferAcceleration;
    if (inProps !== undefined && inProps !== wanted) {
      throw new Error(`${this.node.path}: \`transferAcceleration\` is ${wanted} but \`storageProps.transferAcceleration\` is ${inProps}. Set it in one place.`);
    }
  }

  private validateCdn(props: SupabaseOnAwsProps) {
    if (!props.certificate) {
      throw new Error(`${this.node.path}: \`cdn\` is set without \`certificate\`. CloudFront reaches the load balancer over HTTPS only, so that the secret origin header never crosses the internet in clear text: pass the load balancer's ACM certificate (in ${Stack.of(this).region}, for the host of publicUrl) as \`certificate\`.`);
    }
    validateCdnSettings(this, props.cdn!.certificate, props.cdn!.webAclArn);
  }

  /** The value of the header that proves a request came through the distribution: generated in Secrets Manager. */
  private createOriginSecret(removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'CdnOriginSecret', {
      removalPolicy,
      secretName: `${this.secrets.secretNamePrefix}/cdn-origin-header`,
      description: `The value of the ${ORIGIN_HEADER} header that CloudFront adds and the Supabase load balancer requires`,
      encryptionKey: this.secrets.encryptionKey,
      // Letters and digits only: a load balancer's header condition reads * and ? as wildcards.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'CloudFormation resolves this value into the distribution\'s origin header and the load balancer\'s listener rule at deployment; a rotation outside CloudFormation would make the listener reject all traffic until both were updated. It grants no access to data (requests still need the API keys or a user JWT); it only keeps clients from bypassing the distribution and its web ACL.',
    });
    return secret;
  }

  private validateStandby(standby: boolean) {
    const replica = this.database.replicaSourceArn !== undefined;
    // A promoted replica may stand by again: the site stops serving (failback) until the primary takes over.
    if (standby && !replica && !this.database.promoted) {
      throw new Error(`${this.node.path}: \`standby\` is true but the database is not a read replica. A standby streams from the primary site: create the database with \`databaseOptions.replicaOf\` (or pass a SupabaseDatabase made with \`replicaOf\`), or set \`standby\` to false.`);
    }
    if (standby && this.secrets.primaryRegion === undefined) {
      throw new Error(`${this.node.path}: \`standby\` is true but the secrets are not the primary's replicas, so clients' API keys would not work after a failover. Set \`secretsProps.primaryRegion\` and the primary's \`secretNamePrefix\` (or pass a SupabaseSecrets made with \`primaryRegion\`).`);
    }
    if (!standby && replica) {
      warn(this, WARNINGS.replicaServing,
        `the services run on a read replica (${this.database.replicaSourceArn}). Auth, Storage and Realtime write at start and fail until the replica is promoted: promote it first (\`replicaOf.promoted\`), or keep \`standby\` on.`);
    }
  }

  private validateVpc(props: SupabaseOnAwsProps) {
    if (props.vpc && (props.network || props.networkProps)) {
      throw new Error(`${this.node.path}: \`vpc\` is set together with \`${props.network ? 'network' : 'networkProps'}\`. Deploy into your own VPC (\`vpc\`, \`vpcSubnets\`) or into a SupabaseNetwork, not both.`);
    }
    if (props.vpcSubnets && !props.vpc) {
      throw new Error(`${this.node.path}: \`vpcSubnets\` is set without \`vpc\`. It selects the tiers of your own VPC; pass that VPC as \`vpc\`, or drop \`vpcSubnets\`.`);
    }
    if (props.networkProps && props.cluster && props.database) {
      throw new Error(`${this.node.path}: \`networkProps\` is set, but the given \`cluster\` and \`database\` already run in their VPC, so no network is created here. Drop \`networkProps\`, or pass their network as \`network\`.`);
    }
    const partVpcs = [props.cluster?.cluster.vpc, props.database?.vpc].filter((v): v is ec2.IVpc => v !== undefined);
    const expected = props.vpc ?? props.network?.vpc ?? partVpcs[0];
    for (const vpc of partVpcs) {
      if (vpc.vpcId !== expected.vpcId) {
        throw new Error(`${this.node.path}: the given cluster and database, and the \`vpc\` or \`network\`, must share one VPC; got ${[expected, ...partVpcs].filter((v) => v).map((v) => v!.node.path).join(', ')}.`);
      }
    }
  }
}

function onlyOne(scope: Construct, part: string, given: unknown, settingsName: string, settings: unknown) {
  if (given !== undefined && settings !== undefined) {
    throw new Error(`${scope.node.path}: both \`${part}\` and \`${settingsName}\` are set. \`${settingsName}\` configures the ${part} that SupabaseOnAws creates when \`${part}\` is not given; set the settings on your own ${part} instead, or drop \`${part}\`.`);
  }
}

/** The secrets of this deployment replicated to the disaster-recovery region, for the replication check. */
function secretReplication(secrets: SupabaseSecrets, database: SupabaseDatabase): SupabaseSecretReplication | undefined {
  const replicated = [...secrets.replicatedSecrets, ...database.replicatedSecrets];
  const regions = [...new Set([...secrets.replicaRegions, ...database.secretReplicaRegions])];
  return replicated.length > 0 ? { secrets: replicated, regions } : undefined;
}
