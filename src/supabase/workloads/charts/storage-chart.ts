import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { ANY_IPV4, DEFAULT_FILE_SIZE_LIMIT, SecretEnv, ServiceChartProps, databaseEgress, plainEnv, uploadSpoolSize, signingKeyEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { NAME_LABEL, PART_OF, PART_OF_LABEL, addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';
import { SupabaseStorageApiSettings } from '../settings';

/** The Storage API's service account: it carries the IAM role with access to the bucket (IRSA). */
export const STORAGE_SERVICE_ACCOUNT = 'supabase-storage';

export interface StorageChartProps extends ServiceChartProps {
  /** The public URL of the API gateway. */
  readonly publicUrl: string;
  readonly bucketName: string;
  readonly region: string;
  /** The IAM role of the Storage API's service account (IRSA). */
  readonly roleArn: string;
  readonly settings: SupabaseStorageApiSettings;
  /** Whether the request pool goes through a transaction pooler (the RDS Proxy): `pool-url` of the Secret. */
  readonly pooled: boolean;
}

/**
 * The Storage API on port 5000 with the S3 backend. It has no static key: its service account is bound to an IAM
 * role that may read and write the bucket, and the AWS SDK's default chain picks up the web identity token. It
 * connects as `supabase_storage_admin`, runs its own migrations in schema `storage` at start, and switches to the
 * request's role (anon, authenticated, service_role) through `authenticator`.
 */
export class StorageChart extends cdk8s.Chart {
  constructor(scope: Construct, id: string, props: StorageChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.storage;
    const imageTransformation = props.settings.imageTransformation ?? true;
    const fileSizeLimit = props.settings.fileSizeLimit ?? DEFAULT_FILE_SIZE_LIMIT;
    // The EKS pod identity webhook gives the pods of this account the role's web identity token.
    new kplus.ServiceAccount(this, 'service-account', {
      metadata: {
        name: STORAGE_SERVICE_ACCOUNT,
        labels: { [NAME_LABEL]: 'storage', [PART_OF_LABEL]: PART_OF },
        annotations: { 'eks.amazonaws.com/role-arn': props.roleArn },
      },
      automountToken: false,
    });
    addSupabaseService(this, {
      name: 'storage',
      image: props.image,
      ports: [{ name: 'http', port }],
      serviceAccountName: STORAGE_SERVICE_ACCOUNT,
      env: {
        ...plainEnv({
          SERVER_PORT: String(port),
          POSTGREST_URL: `http://rest:${PORTS.rest}`,
          STORAGE_PUBLIC_URL: props.publicUrl,
          REQUEST_ALLOW_X_FORWARDED_PATH: 'true',
          FILE_SIZE_LIMIT: String(fileSizeLimit.toBytes()),
          STORAGE_BACKEND: 's3',
          GLOBAL_S3_BUCKET: props.bucketName,
          REGION: props.region,
          TENANT_ID: 'stub',
          // The roles exist already (the database bootstrap); true would grant postgres to authenticator.
          DB_INSTALL_ROLES: 'false',
          ENABLE_IMAGE_TRANSFORMATION: String(imageTransformation),
          ...(imageTransformation ? { IMGPROXY_URL: `http://imgproxy:${PORTS.imgproxy}` } : {}),
        }),
        ANON_KEY: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        SERVICE_KEY: secrets.value(K8S_SECRETS.apiKeys, 'service-role-key'),
        AUTH_JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        ...signingKeyEnv(secrets, props.signingKeys, { JWT_JWKS: 'jwks' }),
        DATABASE_URL: secrets.value(K8S_SECRETS.dbStorage, 'url'),
        // With a pool URL, the Storage API sets search_path per transaction (set_config(..., true)) instead of per
        // connection; migrations and its LISTEN stay on DATABASE_URL, the instance.
        ...(props.pooled ? { DATABASE_POOL_URL: secrets.value(K8S_SECRETS.dbStorage, 'pool-url') } : {}),
      },
      readiness: httpProbe('/status', port),
      liveness: httpProbe('/status', port, { failureThreshold: 6 }),
      // The first start runs every migration of schema storage.
      startup: startupProbe('/status', port, 120),
      resources: resources(100, 1000, 256, 1024),
      ...imageUser('storage'),
      writablePaths: [{ name: 'tmp', path: '/tmp', sizeLimit: uploadSpoolSize(fileSizeLimit) }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'storage', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }],
      egress: [
        ...databaseEgress(props.network),
        { peer: { service: 'rest' }, ports: [PORTS.rest] },
        ...(imageTransformation ? [{ peer: { service: 'imgproxy' }, ports: [PORTS.imgproxy] }] : []),
        // S3 and STS (the web identity token), through the NAT gateway or VPC endpoints.
        { peer: { cidr: ANY_IPV4 }, ports: [443] },
      ],
    });
  }
}
