import { App, RemovalPolicy, Stack, StackProps, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseNetwork } from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours (and run `cdk context --clear` once) to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** The networking stack: the first of the seed plan's three (networking, core, applications). */
export class NetworkingStack extends Stack {
  public readonly network: SupabaseNetwork;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.network = new SupabaseNetwork(this, 'Network', {
      // Development: one NAT gateway instead of one per zone, a week of flow logs, nothing kept after deletion,
      // and no interface endpoints (about 11 x 3 x 0.011 USD an hour); traffic to AWS APIs goes through the NAT.
      natGateways: 1,
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      vpcEndpoints: false,
    });
  }
}

/** Adds the Ireland development stacks to `app`. */
export function build(app: App) {
  const env = { account: ACCOUNT, region: REGION };
  const networking = new NetworkingStack(app, 'SupabaseDevNetworking', {
    env,
    description: 'Supabase on AWS, Ireland development: network',
  });
  return { networking };
}
