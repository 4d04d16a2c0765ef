import { Testing } from 'cdk8s';
import { SecretSources, SecretsChart } from '../../src/supabase/workloads/charts/secrets-chart';

/**
 * The objects of a SecretsChart whose sources are placeholder ARNs in `region`, with `overrides` (a database host,
 * a proxy endpoint, Edge Functions on or off).
 */
export function secretsChartObjects(region: string, overrides: Partial<SecretSources> = {}): any[] {
  const arn = (name: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}`;
  const chart = new SecretsChart(Testing.app(), 'secrets', {
    namespace: 'supabase',
    refreshInterval: '1h',
    sources: {
      region,
      jwt: arn('jwt'),
      apiKeys: arn('api-keys'),
      dashboard: arn('dashboard'),
      realtimeSecretKeyBase: arn('rskb'),
      realtimeDbEncKey: arn('rdek'),
      metaCryptoKey: arn('mck'),
      dbAuth: arn('db-auth'),
      dbRest: arn('db-rest'),
      dbStorage: arn('db-storage'),
      dbRealtime: arn('db-realtime'),
      dbMeta: arn('db-meta'),
      functions: true,
      ...overrides,
    },
  });
  return Testing.synth(chart) as any[];
}

/** The template data of the ExternalSecret `name` among `objects`. */
export function externalSecretTemplate(objects: any[], name: string): Record<string, string> {
  return objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === name).spec.target.template.data;
}
