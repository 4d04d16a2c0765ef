import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { restDatabaseSettings } from './rest-chart';
import { K8S_SECRETS, secretKeyKey } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { SecretEnv, ServiceChartProps, plainEnv, signingKeyEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';
import { SupabaseRestSettings, SupabaseStudioSettings } from '../settings';

export interface StudioChartProps extends ServiceChartProps {
  /** The public URL of the API gateway. */
  readonly publicUrl: string;
  readonly settings: SupabaseStudioSettings;
  /** PostgREST's settings, which Studio shows in its API settings. */
  readonly rest: SupabaseRestSettings;
  /** The StorageClass of the volume that keeps the saved snippets. */
  readonly storageClassName: string;
}

/** Studio's volume: an EBS volume that outlives the pod (outside /app, which holds the program). */
const DATA_DIR = '/var/lib/studio';
const SNIPPETS_FOLDER = `${DATA_DIR}/snippets`;
/**
 * Where Studio lists Edge Functions from (it only reads it): empty, since the functions are in the edge runtime's
 * image, which Studio cannot see.
 */
const FUNCTIONS_FOLDER = '/var/lib/edge-functions';

/**
 * Studio, the dashboard, on port 3000, behind the gateway's basic authentication. It reads the database through
 * postgres-meta and calls the other services through the gateway inside the cluster. It saves SQL snippets as files:
 * they are kept on a 1 GiB EBS volume (the cluster's StorageClass, which retains released volumes), so one pod runs,
 * and an update replaces it (the volume is ReadWriteOnce and in one zone).
 */
export class StudioChart extends Chart {
  constructor(scope: Construct, id: string, props: StudioChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.studio;
    addSupabaseService(this, {
      name: 'studio',
      image: props.image,
      ports: [{ name: 'http', port }],
      env: {
        ...plainEnv({
          HOSTNAME: '0.0.0.0',
          PORT: String(port),
          STUDIO_PG_META_URL: `http://meta:${PORTS.meta}`,
          POSTGRES_USER_READ_WRITE: 'postgres',
          DEFAULT_ORGANIZATION_NAME: props.settings.organizationName ?? 'Default Organization',
          DEFAULT_PROJECT_NAME: props.settings.projectName ?? 'Default Project',
          SUPABASE_URL: `http://kong:${PORTS.kong}`,
          SUPABASE_PUBLIC_URL: props.publicUrl,
          // No log backend (Logflare) behind the Logs Explorer: the containers' logs are in CloudWatch.
          ENABLED_FEATURES_LOGS_ALL: 'false',
          ...restDatabaseSettings(props.rest),
          NEXT_TELEMETRY_DISABLED: '1',
          SNIPPETS_MANAGEMENT_FOLDER: SNIPPETS_FOLDER,
          EDGE_FUNCTIONS_MANAGEMENT_FOLDER: FUNCTIONS_FOLDER,
        }),
        // Studio builds the connection string of its queries (sent to postgres-meta, encrypted) from these.
        POSTGRES_HOST: secrets.value(K8S_SECRETS.dbMeta, 'host'),
        POSTGRES_PORT: secrets.value(K8S_SECRETS.dbMeta, 'port'),
        POSTGRES_DB: secrets.value(K8S_SECRETS.dbMeta, 'dbname'),
        POSTGRES_PASSWORD: secrets.value(K8S_SECRETS.dbMeta, 'password'),
        PG_META_CRYPTO_KEY: secrets.value(K8S_SECRETS.metaCrypto, 'crypto-key'),
        SUPABASE_ANON_KEY: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        SUPABASE_SERVICE_KEY: secrets.value(K8S_SECRETS.apiKeys, 'service-role-key'),
        AUTH_JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        // For its API Keys page; Studio calls the gateway with the legacy keys, which stay on.
        ...signingKeyEnv(secrets, props.signingKeys, {
          SUPABASE_PUBLISHABLE_KEY: 'publishable-key',
          ...(props.signingKeys ? { SUPABASE_SECRET_KEY: secretKeyKey(props.signingKeys.secretKeyNames[0]) } : {}),
        }),
      },
      readiness: httpProbe('/api/platform/profile', port, { timeoutSeconds: 5 }),
      liveness: httpProbe('/api/platform/profile', port, { failureThreshold: 6, timeoutSeconds: 5 }),
      startup: startupProbe('/api/platform/profile', port, 120),
      resources: resources(100, 1000, 256, 1024),
      ...imageUser('studio'),
      // Next.js's cache, and the (empty) folder Studio lists Edge Functions from.
      writablePaths: [
        { name: 'tmp', path: '/tmp' },
        { name: 'next-cache', path: '/app/apps/studio/.next/cache', sizeLimit: Size.mebibytes(256) },
        { name: 'functions', path: FUNCTIONS_FOLDER },
      ],
      // The saved snippets (Studio makes the folder on first use).
      persistentPaths: [{ name: 'data', path: DATA_DIR, size: Size.gibibytes(1), storageClassName: props.storageClassName }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'studio', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }],
      egress: [{ peer: { service: 'meta' }, ports: [PORTS.meta] }, { peer: { service: 'kong' }, ports: [PORTS.kong] }],
    });
  }
}
