import {
  Duration,
  Stack,
  aws_ec2 as ec2,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
} from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { Cache } from '../cache/cache';
import { AuthChart } from './charts/auth-chart';
import { FunctionsChart } from './charts/functions-chart';
import { ImagePrewarmChart } from './charts/image-prewarm-chart';
import { ImgproxyChart } from './charts/imgproxy-chart';
import { KongChart } from './charts/kong-chart';
import { LoadBalancerChart } from './charts/load-balancer-chart';
import { MetaChart } from './charts/meta-chart';
import { NamespaceChart } from './charts/namespace-chart';
import { RealtimeChart } from './charts/realtime-chart';
import { RestChart } from './charts/rest-chart';
import { SecretsChart } from './charts/secrets-chart';
import { StorageChart, STORAGE_SERVICE_ACCOUNT } from './charts/storage-chart';
import { StudioChart } from './charts/studio-chart';
import { DEFAULT_IMAGES, SupabaseImages } from './images';
import { authFeatureEnv } from './private/auth-env';
import { ChartNetwork, DEFAULT_FILE_SIZE_LIMIT } from './private/chart-props';
import { EnvironmentService, resolveEnvironments, serviceSecretSources } from './private/extra-env';
import { checkSecretSources } from './private/secret-env';
import { validateServicesOptions } from './private/settings-validation';
import { AUTOSCALED, SINGLE, resolveScaling, validateImage } from './private/validation';
import { SupabaseServicesOptions } from './services-options';
import { SupabaseScalingSettings } from './settings';
import { SupabaseCluster } from '../../eks/supabase-cluster';
import { POSTGRES_PORT } from '../../private/ports';
import { stripUndefined } from '../../private/strip-undefined';
import { SupabaseDatabase } from '../../rds/supabase-database';
import { SupabaseSecrets } from '../../secrets/supabase-secrets';
import { SupabaseStorage } from '../../storage/supabase-storage';

const DEFAULT_NAMESPACE = 'supabase';


/**
 * Properties of {@link SupabaseWorkloads}.
 */
export interface SupabaseWorkloadsProps extends SupabaseServicesOptions {
  /** The cluster the services run on. */
  readonly cluster: SupabaseCluster;
  /** The secrets the services read (through External Secrets Operator). */
  readonly secrets: SupabaseSecrets;
  /** The bootstrapped database. */
  readonly database: SupabaseDatabase;
  /** The bucket of the Storage API. It must be in the cluster's stack (its policy names the Storage API's role). */
  readonly storage: SupabaseStorage;
  /** The Kubernetes namespace. @default 'supabase' */
  readonly namespace?: string;
  /** The database's subnets, for the network policies' egress. @default - the VPC's isolated subnets */
  readonly databaseSubnets?: ec2.SubnetSelection;
  /** The load balancer's subnets, for Kong's network policy. @default - the VPC's public subnets */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
  /** Whether every service runs zero pods without an autoscaler (a pilot-light standby). @default false */
  readonly standby?: boolean;
  /** The cache, in the EKS tier (`cacheSubnets`). @default - none */
  readonly cache?: Cache;
  /** The cache's subnets, for Edge Functions' network policy. @default - the VPC's private subnets with egress */
  readonly cacheSubnets?: ec2.SubnetSelection;
}

/**
 * The Supabase services on a {@link SupabaseCluster}, as cdk8s charts applied through the cluster's kubectl
 * handler, wired to the AWS resources: External Secrets reads the secrets (the operator's role is granted read
 * access here), the database admits the cluster, and the Storage API's service account gets an IAM role with
 * read-write access to the bucket.
 *
 * Internal: `SupabaseOnAws` composes it.
 */
export class SupabaseWorkloads extends Construct {
  /** The namespace of the services. */
  public readonly namespace: string;
  /** The manifests, one per chart, in the order they are applied. */
  public readonly manifests: eks.KubernetesManifest[] = [];
  /** The cdk8s charts behind the manifests, in the same order. */
  public readonly charts: cdk8s.Chart[] = [];
  /**
   * The IAM role of the Storage API's service account (IRSA), with read-write access to the bucket. It is created
   * in the cluster's scope (and stack), so that the bucket's policy may name it without a dependency on the
   * workloads; the ServiceAccount object is part of the Storage API's chart.
   */
  public readonly storageRole: iam.IRole;
  private readonly app = new cdk8s.App();
  private readonly cluster: SupabaseCluster;
  private readonly kong: { readonly serviceName: string; readonly manifest: eks.KubernetesManifest };

  constructor(scope: Construct, id: string, props: SupabaseWorkloadsProps) {
    super(scope, id);
    this.namespace = props.namespace ?? DEFAULT_NAMESPACE;
    validateServicesOptions(this, props);
    const chosen = { ...DEFAULT_IMAGES, ...stripUndefined(props.images ?? {}) };
    Object.entries(chosen).forEach(([service, image]) => validateImage(this, service, image));
    // As the nodes pull them: through the cluster's pull-through cache, if it has one.
    const images = Object.fromEntries(Object.entries(chosen)
      .map(([service, image]) => [service, props.cluster.cachedImage(image)])) as Required<SupabaseImages>;
    const scaling = (service: keyof SupabaseScalingSettings) => {
      const resolved = resolveScaling(this, service, props.scaling?.[service], AUTOSCALED.has(service), SINGLE.has(service));
      // A standby keeps every Deployment, Service and policy in place with no pod: scaling up is a deployment away.
      return props.standby ? { ...resolved, minReplicas: 0, autoscale: false } : resolved;
    };
    const functions = props.functions ?? false;
    const imageTransformation = props.storageApi?.imageTransformation ?? true;

    const cluster = props.cluster;
    this.cluster = cluster;
    const vpc = cluster.cluster.vpc;
    const network: ChartNetwork = {
      databaseCidrs: cidrsOf(vpc, props.databaseSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }),
      loadBalancerCidrs: cidrsOf(vpc, props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC }),
      databasePort: POSTGRES_PORT,
      cache: props.cache ? {
        cidrs: cidrsOf(vpc, props.cacheSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }),
        port: props.cache.port,
      } : undefined,
    };

    // AWS wiring: the operator reads the secrets, the pods reach the database, Storage gets its bucket.
    props.secrets.grantRead(cluster.externalSecretsRole);
    props.database.grantServiceSecretsRead(cluster.externalSecretsRole);
    props.database.connections.allowDefaultPortFrom(cluster, 'Supabase services on the EKS cluster');
    props.database.proxyConnections?.allowDefaultPortFrom(cluster, 'Supabase services on the EKS cluster');
    const cacheRead = props.cache?.grantRead(cluster.externalSecretsRole);
    const authFeatures = authFeatureEnv(this, {
      settings: props.auth, publicUrl: props.publicUrl, samlSigningKey: props.secrets.samlSigningKey,
    });
    // The escape hatch: the user's further variables per service, checked (the merge with the library's happens in
    // each chart, where both are known).
    const environments = resolveEnvironments(this, props.environment, {
      ...(imageTransformation ? {} : { imgproxy: '`storageApi.imageTransformation` is false' }),
      ...(functions ? {} : { functions: '`functions` is false' }),
    });
    // Each service's own secrets (client secrets, the user's secret variables), read by the operator into the
    // service's Secret.
    const serviceSecrets = serviceSecretSources({ auth: authFeatures.secrets }, environments);
    checkSecretSources(this, serviceSecrets);
    const serviceSecretReads = Object.values(serviceSecrets).flat().map((v) => v.secret.grantRead(cluster.externalSecretsRole));
    const pooled = props.database.proxy !== undefined;

    const app = this.app;
    const signingKeys = props.secrets.signingKeys ? { secretKeyNames: props.secrets.secretApiKeyNames } : undefined;
    const common = (service: EnvironmentService) => ({ namespace: this.namespace, network, extraEnv: environments.extraEnv[service], signingKeys });
    const apply = this.apply.bind(this);

    const namespace = apply('Namespace', new NamespaceChart(app, 'namespace', { namespace: this.namespace }));
    this.storageRole = cluster.addServiceAccountRole(`${this.node.id}StorageApiRole`, { namespace: this.namespace, name: STORAGE_SERVICE_ACCOUNT });
    props.storage.grantReadWrite(this.storageRole);

    const smtp = props.secrets.smtp;
    const externalSecrets = apply('Secrets', new SecretsChart(app, 'secrets', {
      namespace: this.namespace,
      refreshInterval: '1h',
      sources: {
        region: Stack.of(this).region,
        jwt: props.secrets.jwtSecret.secretArn,
        apiKeys: props.secrets.apiKeys.secretArn,
        dashboard: props.secrets.dashboard.secretArn,
        realtimeSecretKeyBase: props.secrets.realtimeSecretKeyBase.secretArn,
        realtimeDbEncKey: props.secrets.realtimeDbEncKey.secretArn,
        metaCryptoKey: props.secrets.metaCryptoKey.secretArn,
        dbAuth: props.database.authSecret.secretArn,
        dbRest: props.database.restSecret.secretArn,
        dbStorage: props.database.storageSecret.secretArn,
        dbRealtime: props.database.realtimeSecret.secretArn,
        dbMeta: props.database.metaSecret.secretArn,
        // A replica's login secrets (promoted or not) are copies of the primary's, which name the primary's host.
        // Read through `hostFor`: in another stack, a replica's host comes from a parameter, not an export (failback).
        databaseHost: props.database.replicaSourceArn || props.database.promoted ? props.database.hostFor(this) : undefined,
        pooledHost: props.database.proxy?.endpoint,
        smtpPassword: smtp ? { secret: smtp.password.secretArn, field: smtp.passwordField } : undefined,
        functions,
        cache: props.cache ? { secret: props.cache.secret.secretArn, host: props.cache.host, port: props.cache.port } : undefined,
        serviceEnv: Object.entries(serviceSecrets).map(([service, variables]) => ({
          service,
          variables: variables.map((v) => ({ name: v.name, secretArn: v.secret.secretArn, field: v.field })),
        })),
        signingKeys: props.secrets.signingKeys
          ? { secret: props.secrets.signingKeys.secretArn, secretKeyNames: props.secrets.secretApiKeyNames }
          : undefined,
      },
    }), namespace, cluster.externalSecretsChart, ...(cacheRead ? [cacheRead] : []), ...serviceSecretReads);

    // The services start once their Secrets are declared and the database has its roles and schemas.
    const ready = props.database.bootstrap ? [externalSecrets, props.database.bootstrap] : [externalSecrets];
    const jwtExpirySeconds = props.auth.jwtExpiry?.toSeconds() ?? Duration.hours(1).toSeconds();
    const kongChart = new KongChart(app, 'kong', {
      ...common('kong'),
      image: images.kong,
      scaling: scaling('kong'),
      functions,
      fileSizeLimit: props.storageApi?.fileSizeLimit ?? DEFAULT_FILE_SIZE_LIMIT,
    });
    this.kong = { serviceName: kongChart.service.name, manifest: this.apply('Kong', kongChart, ...ready) };
    apply('Auth', new AuthChart(app, 'auth', {
      ...common('auth'),
      image: images.auth,
      scaling: scaling('auth'),
      publicUrl: props.publicUrl,
      settings: props.auth,
      smtp: smtp ? {
        host: smtp.host,
        port: smtp.port ?? 587,
        user: smtp.user,
        adminEmail: smtp.adminEmail,
        senderName: smtp.senderName ?? 'Supabase',
      } : undefined,
      featureEnv: authFeatures.plain,
      secretEnv: authFeatures.secrets.map((v) => v.name),
    }), ...ready);
    apply('Rest', new RestChart(app, 'rest', {
      ...common('rest'), image: images.rest, scaling: scaling('rest'), settings: props.rest ?? {}, jwtExpirySeconds, pooled,
    }), ...ready);
    apply('Realtime', new RealtimeChart(app, 'realtime', {
      ...common('realtime'), image: images.realtime, scaling: scaling('realtime'),
    }), ...ready);
    apply('Storage', new StorageChart(app, 'storage', {
      ...common('storage'),
      image: images.storage,
      scaling: scaling('storage'),
      publicUrl: props.publicUrl,
      pooled,
      bucketName: props.storage.bucket.bucketName,
      region: Stack.of(props.storage).region,
      roleArn: this.storageRole.roleArn,
      settings: props.storageApi ?? {},
    }), ...ready);
    if (imageTransformation) {
      apply('Imgproxy', new ImgproxyChart(app, 'imgproxy', {
        ...common('imgproxy'), image: images.imgproxy, scaling: scaling('imgproxy'),
      }), namespace);
    }
    apply('Meta', new MetaChart(app, 'meta', { ...common('meta'), image: images.meta, scaling: scaling('meta') }), ...ready);
    apply('Studio', new StudioChart(app, 'studio', {
      ...common('studio'),
      image: images.studio,
      scaling: scaling('studio'),
      publicUrl: props.publicUrl,
      settings: props.studio ?? {},
      rest: props.rest ?? {},
      storageClassName: cluster.storageClassName,
    }), ...ready, cluster.storageClass);
    if (functions) {
      apply('Functions', new FunctionsChart(app, 'functions', {
        ...common('functions'), image: images.functions, scaling: scaling('functions'), publicUrl: props.publicUrl,
      }), ...ready);
    }
    if (props.standby) {
      // Pulled now, not when a disaster scales the services up (and into the cluster's image cache, if any).
      const { functions: functionsImage, imgproxy, ...always } = images;
      apply('ImagePrewarm', new ImagePrewarmChart(app, 'image-prewarm', {
        namespace: this.namespace,
        images: { ...always, ...(imageTransformation ? { imgproxy } : {}), ...(functions ? { functions: functionsImage } : {}) },
      }), namespace);
    }
  }

  /**
   * Lets the AWS Load Balancer Controller register Kong's pods in `targetGroup` (a TargetGroupBinding), once Kong
   * and the controller are in place. Call it once, with the target group of the public load balancer.
   */
  public serveThrough(targetGroup: elbv2.ITargetGroup): eks.KubernetesManifest {
    return this.apply('LoadBalancer', new LoadBalancerChart(this.app, 'load-balancer', {
      namespace: this.namespace,
      kongServiceName: this.kong.serviceName,
      targetGroupArn: targetGroup.targetGroupArn,
    }), this.kong.manifest, this.cluster.albControllerChart);
  }

  /** Applies `chart` as a manifest through the cluster's kubectl handler, after `after`. */
  private apply(chartId: string, chart: cdk8s.Chart, ...after: IDependable[]): eks.KubernetesManifest {
    const manifest = new eks.KubernetesManifest(this, chartId, {
      cluster: this.cluster.cluster,
      manifest: chart.toJson(),
    });
    manifest.node.addDependency(...after);
    this.manifests.push(manifest);
    this.charts.push(chart);
    return manifest;
  }
}

function cidrsOf(vpc: ec2.IVpc, selection: ec2.SubnetSelection): string[] {
  return vpc.selectSubnets(selection).subnets.map((s) => s.ipv4CidrBlock);
}
