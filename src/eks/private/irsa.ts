import { CfnJson, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CDK_PROVIDERS, acknowledgeProviderRole } from '../../private/nag';

/** What {@link irsaRole} needs to know. */
export interface IrsaRoleOptions {
  /** The cluster's OpenID Connect provider, whose tokens the role trusts. */
  readonly provider: iam.IOpenIdConnectProvider;
  /** The service account's namespace. */
  readonly namespace: string;
  /** The service account's name. */
  readonly name: string;
  /** The role's description. */
  readonly description: string;
  /** The id of the trust conditions' CfnJson, beside the role. */
  readonly conditionsId: string;
  /** AWS managed policies of the role. */
  readonly managedPolicies?: iam.IManagedPolicy[];
}

/**
 * An IAM role that the Kubernetes service account `namespace/name` assumes with its web identity token (IRSA): the
 * provider's `aud` must be STS and its `sub` that service account. The ServiceAccount object is not created here.
 */
export function irsaRole(scope: Construct, id: string, options: IrsaRoleOptions): iam.Role {
  const issuer = options.provider.openIdConnectProviderIssuer;
  // The issuer is a token: the condition keys are resolved at deployment, through a CfnJson.
  const conditions = new CfnJson(scope, options.conditionsId, {
    value: {
      [`${issuer}:aud`]: 'sts.amazonaws.com',
      [`${issuer}:sub`]: `system:serviceaccount:${options.namespace}:${options.name}`,
    },
  });
  acknowledgeProviderRole(scope, CDK_PROVIDERS.cfnUtils, 'The role of aws-cdk-lib\'s CfnJson provider, which resolves the IRSA trust conditions whose keys hold the cluster\'s OIDC issuer (a token until deployment). The role and its policy are aws-cdk-lib\'s; the managed policy only lets the handler write its CloudWatch Logs.');
  return new iam.Role(scope, id, {
    assumedBy: new iam.OpenIdConnectPrincipal(options.provider).withConditions({ StringEquals: conditions }),
    description: options.description,
    managedPolicies: options.managedPolicies,
  });
}
