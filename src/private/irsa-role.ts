import { CfnJson, aws_iam as iam } from 'aws-cdk-lib';
import { SupabaseCluster } from '../eks/supabase-cluster';

/**
 * An IAM role that the Kubernetes service account `namespace/name` of `cluster` assumes with its web identity
 * token (IRSA), created in the cluster's scope, without the ServiceAccount object: the caller declares that object
 * in its own manifest (with the `eks.amazonaws.com/role-arn` annotation). So the role lives in the cluster's stack,
 * where resource policies may name it, while the service account lives with the workload that uses it.
 */
export function serviceAccountRole(cluster: SupabaseCluster, id: string, namespace: string, name: string): iam.Role {
  const provider = cluster.cluster.openIdConnectProvider;
  const issuer = provider.openIdConnectProviderIssuer;
  const conditions = new CfnJson(cluster, `${id}Conditions`, {
    value: {
      [`${issuer}:aud`]: 'sts.amazonaws.com',
      [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${name}`,
    },
  });
  return new iam.Role(cluster, id, {
    assumedBy: new iam.OpenIdConnectPrincipal(provider).withConditions({ StringEquals: conditions }),
    description: `IRSA role of the Kubernetes service account ${namespace}/${name}`,
  });
}
