import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { SecretEnv, ServiceChartProps, plainEnv } from '../private/chart-props';
import { IMAGE_USERS, PORTS } from '../private/ports';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';
import { SupabaseStudioSettings } from '../settings';

export interface StudioChartProps extends ServiceChartProps {
  /** The public URL of the API gateway. */
  readonly publicUrl: string;
  readonly settings: SupabaseStudioSettings;
}

const SNIPPETS_FOLDER = '/app/snippets';
const FUNCTIONS_FOLDER = '/app/edge-functions';

/**
 * Studio, the dashboard, on port 3000, behind the gateway's basic authentication. It reads the database through
 * postgres-meta and calls the other services through the gateway inside the cluster.
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
          NEXT_PUBLIC_ENABLE_LOGS: 'false',
          NEXT_ANALYTICS_BACKEND_PROVIDER: 'postgres',
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
      },
      readiness: httpProbe('/api/platform/profile', port, { timeoutSeconds: 5 }),
      liveness: httpProbe('/api/platform/profile', port, { failureThreshold: 6, timeoutSeconds: 5 }),
      startup: startupProbe('/api/platform/profile', port, 120),
      resources: resources(100, 1000, 256, 1024),
      ...IMAGE_USERS.studio,
      // Next.js's cache, and the folders where Studio saves SQL snippets and edge function drafts (per pod, lost
      // on restart: self-hosted Studio keeps them on local disk).
      writablePaths: [
        { name: 'tmp', path: '/tmp' },
        { name: 'next-cache', path: '/app/apps/studio/.next/cache', sizeLimit: Size.mebibytes(256) },
        { name: 'snippets', path: SNIPPETS_FOLDER },
        { name: 'functions', path: FUNCTIONS_FOLDER },
      ],
      scaling: props.scaling,
    });
    addServicePolicy(this, 'studio', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }],
      egress: [{ peer: { service: 'meta' }, ports: [PORTS.meta] }, { peer: { service: 'kong' }, ports: [PORTS.kong] }],
    });
  }
}
