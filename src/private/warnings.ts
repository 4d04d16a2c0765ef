import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { constructName } from './errors';

/**
 * The ids of the synth-time warnings, in one list: they are part of the API (`cdk synth` users acknowledge them
 * with `Annotations.of(scope).acknowledgeWarning(id)`), so an id never changes once released.
 */
export const WARNINGS = {
  clusterPublicEndpoint: 'cdk-supabase-on-aws:cluster-public-endpoint-open',
  clusterSpotDiversity: 'cdk-supabase-on-aws:cluster-spot-single-instance-type',
  clusterPodIpCapacity: 'cdk-supabase-on-aws:cluster-pod-ip-capacity',
  replicaUnprotected: 'cdk-supabase-on-aws:replica-unprotected',
  workloadsHttpOnly: 'cdk-supabase-on-aws:workloads-http-only',
  replicaServing: 'cdk-supabase-on-aws:replica-serving',
  cacheNodeType: 'cdk-supabase-on-aws:cache-node-type',
  observabilityImportedTopic: 'cdk-supabase-on-aws:observability-imported-topic',
  workloadsEnvironmentOverride: 'cdk-supabase-on-aws:workloads-environment-override',
  workloadsEnvironmentOverrideUnused: 'cdk-supabase-on-aws:workloads-environment-override-unused',
  workloadsEnvironmentServiceAbsent: 'cdk-supabase-on-aws:workloads-environment-service-absent',
  authPhoneWithoutSms: 'cdk-supabase-on-aws:auth-phone-without-sms-provider',
  databaseInstanceFamily: 'cdk-supabase-on-aws:database-instance-family-unknown',
  databaseParameterUnknown: 'cdk-supabase-on-aws:database-parameter-unknown',
  unknownProp: 'cdk-supabase-on-aws:unknown-prop',
} as const;

/** A warning the user may accept, on `scope`, in the style of {@link configError}'s messages. */
export function warn(scope: IConstruct, id: typeof WARNINGS[keyof typeof WARNINGS], message: string): void {
  Annotations.of(scope).addWarningV2(id, `${constructName(scope)}: ${message}`);
}
