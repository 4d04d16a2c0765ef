import {
  RemovalPolicy,
  aws_cloudfront as cloudfront,
  aws_ec2 as ec2,
  aws_elasticache as elasticache,
  aws_elasticloadbalancingv2 as elbv2,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../eks';
import { SupabaseNetwork } from '../networking';
import { SupabaseSecrets } from '../secrets';
import { SupabaseStorage } from '../storage';
import { Cache } from './cache/cache';
import { CACHED_PATH, ContentDelivery } from './edge/content-delivery';
import { createOriginSecret, originHeader } from './edge/origin-secret';
import { SupabaseObservability, SupabaseSecretReplication } from './observability';
import { SUPABASE_PROPS_SPEC } from './props-spec';
import { SupabaseOnAwsProps } from './supabase-on-aws-props';
import { checkProps } from '../private/props-check';
import { stripUndefined } from '../private/strip-undefined';
import { validateCdnSettings, validateLoadBalancerArns, validateLoadBalancerZones } from './edge/private/validation';
import { PublicLoadBalancer } from './edge/public-load-balancer';
import { addOutputs } from './private/outputs';
import { validateProps, validateStandby } from './private/validation';
import { SupabaseDatabase } from '../rds/supabase-database';
import { AUTH_CALLBACK_PATH } from './workloads/private/auth-providers-env';
import { rejectPerClientRateLimitsBehindCdn } from './workloads/private/auth-rate-limits-env';
import { validateServicesOptions } from './workloads/private/settings-validation';
import { SupabaseWorkloads } from './workloads/supabase-workloads';

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
    checkProps(this, props, SUPABASE_PROPS_SPEC, 'SupabaseOnAwsProps');
    // The services' settings first: a mistaken URL, image or limit costs no build.
    validateServicesOptions(this, props, props.certificate !== undefined);
    validateProps(this, props);
    validateLoadBalancerArns(this, props.certificate, props.webAclArn);
    if (props.cdn) {
      validateCdnSettings(this, props.cdn.certificate, props.cdn.webAclArn);
      rejectPerClientRateLimitsBehindCdn(this, 'auth.rateLimits', props.auth.rateLimits);
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
    if (!this.network) {
      validateLoadBalancerZones(this, this.vpc, tiers.loadBalancer);
    }
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
    validateStandby(this, props.standby ?? false, this.database, this.secrets);
    // What this construct keeps beside the parts (log buckets, the origin secret, the cache's token).
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.cdn) {
      this.originSecret = createOriginSecret(this, 'CdnOriginSecret', {
        secretNamePrefix: this.secrets.secretNamePrefix,
        encryptionKey: this.secrets.encryptionKey,
        removalPolicy,
      });
    }
    // A dynamic reference: CloudFormation puts the value in at deployment; the template holds only the secret's ARN.
    const requiredHeader = this.originSecret ? originHeader(this.originSecret) : undefined;
    const cache = props.cache ? new Cache(this, 'Cache', {
      ...props.cache,
      vpc: this.vpc,
      subnets: tiers.eks,
      clients: this.cluster,
      secretName: `${this.secrets.secretNamePrefix}/cache-auth-token`,
      secretKey: this.secrets.encryptionKey,
      secretRemovalPolicy: removalPolicy,
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
      functions: props.functions,
      environment: props.environment,
      databaseSubnets: tiers.database,
      loadBalancerSubnets: tiers.loadBalancer,
      standby: props.standby,
      cache,
      cacheSubnets: tiers.eks,
    });
    this.namespace = workloads.namespace;
    // In the workloads' scope, where it has always been (its logical ids derive from the path).
    const publicLoadBalancer = new PublicLoadBalancer(workloads, 'PublicLoadBalancer', {
      cluster: this.cluster,
      subnets: tiers.loadBalancer,
      certificate: props.certificate,
      webAclArn: props.webAclArn,
      removalPolicy,
      requiredHeader,
    });
    workloads.serveThrough(publicLoadBalancer.targetGroup);
    this.loadBalancer = publicLoadBalancer.loadBalancer;
    this.publicUrl = props.publicUrl;
    if (props.cdn && requiredHeader) {
      this.distribution = new ContentDelivery(this, 'Cdn', {
        loadBalancer: this.loadBalancer,
        publicUrl: props.publicUrl,
        certificate: props.cdn.certificate,
        webAclArn: props.cdn.webAclArn,
        originHeader: requiredHeader,
        removalPolicy,
      }).distribution;
    }

    if (props.observability ?? true) {
      this.observability = new SupabaseObservability(this, 'Observability', {
        removalPolicy: props.removalPolicy,
        ...stripUndefined(props.observabilityOptions ?? {}),
        cluster: this.cluster,
        database: this.database,
        storage: this.storage,
        loadBalancer: publicLoadBalancer.loadBalancer,
        targetGroup: publicLoadBalancer.targetGroup,
        secretReplication: secretReplication(this.secrets, this.database),
      });
    }

    addOutputs(this, {
      publicUrl: props.publicUrl,
      loadBalancerDnsName: this.loadBalancer.loadBalancerDnsName,
      cdn: this.distribution ? { domainName: this.distribution.distributionDomainName, cachedPath: CACHED_PATH } : undefined,
      cluster: this.cluster,
      secrets: this.secrets,
      storage: this.storage,
      database: this.database,
      cache: cache ? { host: cache.host, port: cache.port, secretArn: cache.secret.secretArn } : undefined,
      alarmTopic: this.observability?.alarmTopic,
      authCallbackUrl: props.auth.externalProviders?.length ? `${props.publicUrl}${AUTH_CALLBACK_PATH}` : undefined,
    });
  }
}

/** The secrets of this deployment replicated to the disaster-recovery region, for the replication check. */
function secretReplication(secrets: SupabaseSecrets, database: SupabaseDatabase): SupabaseSecretReplication | undefined {
  const replicated = [...secrets.replicatedSecrets, ...database.replicatedSecrets];
  const regions = [...new Set([...secrets.replicaRegions, ...database.secretReplicaRegions])];
  return replicated.length > 0 ? { secrets: replicated, regions } : undefined;
}
