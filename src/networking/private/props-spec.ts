/** The spec of SupabaseNetwork's props for the props check (src/private/props-check.ts); kept out of the jsii API. */
import { RemovalPolicy, aws_logs as logs } from 'aws-cdk-lib';
import { PropsSpec, construct, enumOf } from '../../private/props-check';
import { SupabaseNetworkProps } from '../network-props';

export const NETWORK_PROPS_SPEC: PropsSpec<SupabaseNetworkProps> = {
  vpcCidr: 'string',
  availabilityZones: 'string[]',
  azCount: 'number',
  publicSubnetCidrs: 'string[]',
  eksSubnetCidrs: 'string[]',
  databaseSubnetCidrs: 'string[]',
  natGateways: 'number',
  flowLogRetention: enumOf('logs.RetentionDays', logs.RetentionDays),
  flowLogKey: construct('kms.IKey'),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  vpcEndpoints: 'boolean',
};
