import { App, RemovalPolicy, Stack, StackProps, aws_ec2 as ec2, aws_logs as logs } from 'aws-cdk-lib';
import { CapacityType } from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { SupabaseCluster, SupabaseNetwork, SupabaseSecrets } from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** Development: nothing is kept when the stacks are deleted. */
const REMOVAL = RemovalPolicy.DESTROY;

/** The networking stack: the first of the seed plan's three (networking, core, applications). */
export class NetworkingStack extends Stack {
  public readonly network: SupabaseNetwork;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.network = new SupabaseNetwork(this, 'Network', {
      // One NAT gateway instead of one per zone, a week of flow logs, and no interface endpoints
      // (about 11 x 3 x 0.011 USD an hour); traffic to AWS APIs goes through the NAT gateway.
      natGateways: 1,
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: REMOVAL,
      vpcEndpoints: false,
    });
  }
}

export interface CoreStackProps extends StackProps {
  readonly network: SupabaseNetwork;
}

/** The core stack: secrets and the EKS cluster (the database and storage join it as the library grows). */
export class CoreStack extends Stack {
  public readonly secrets: SupabaseSecrets;
  public readonly cluster: SupabaseCluster;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    this.secrets = new SupabaseSecrets(this, 'Secrets', {
      secretNamePrefix: 'supabase/ireland-dev',
      removalPolicy: REMOVAL,
    });
    this.cluster = new SupabaseCluster(this, 'Cluster', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.eksSubnets,
      // Development: one small spot node group instead of the seed plan's on-demand and spot groups.
      nodeGroups: [{
        name: 'dev',
        instanceTypes: [new ec2.InstanceType('t3.large'), new ec2.InstanceType('m5.large'), new ec2.InstanceType('m5a.large')],
        capacityType: CapacityType.SPOT,
        minSize: 1,
        desiredSize: 2,
        maxSize: 4,
      }],
      logRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: REMOVAL,
    });
    this.secrets.grantRead(this.cluster.externalSecretsRole);
  }
}

/** Adds the Ireland development stacks to `app`. */
export function build(app: App) {
  const env = { account: ACCOUNT, region: REGION };
  const networking = new NetworkingStack(app, 'SupabaseDevNetworking', {
    env,
    description: 'Supabase on AWS, Ireland development: network',
  });
  const core = new CoreStack(app, 'SupabaseDevCore', {
    env,
    description: 'Supabase on AWS, Ireland development: secrets and EKS cluster',
    network: networking.network,
  });
  return { networking, core };
}
