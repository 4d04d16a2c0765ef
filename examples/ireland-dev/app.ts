import {
  App,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Validations,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { CapacityType } from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import {
  SupabaseCluster,
  SupabaseDatabase,
  SupabaseNetwork,
  SupabaseOnAws,
  SupabaseSecrets,
  SupabaseServiceScaling,
  SupabaseStorage,
} from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
/** The public URL of the API and Studio; replace it with your domain. */
export const PUBLIC_URL = 'https://supabase-dev.example.com';
/** An ACM certificate for that domain in eu-west-1; replace it with yours. */
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`;

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

/** The core stack: secrets, the database, the storage bucket and the EKS cluster. */
export class CoreStack extends Stack {
  public readonly secrets: SupabaseSecrets;
  public readonly storage: SupabaseStorage;
  public readonly database: SupabaseDatabase;
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

    this.database = new SupabaseDatabase(this, 'Database', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.databaseSubnets,
      bootstrapSubnets: props.network.eksSubnets,
      // Without interface endpoints the bootstrap and rotation functions reach Secrets Manager through the NAT.
      awsApiPeer: ec2.Peer.anyIpv4(),
      // Development: one small single-AZ instance, a day of backups, nothing kept after deletion.
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.SMALL),
      multiAz: false,
      backupRetention: Duration.days(1),
      deletionProtection: false,
      removalPolicy: REMOVAL,
      cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK,
    });
    this.storage = new SupabaseStorage(this, 'Storage', { removalPolicy: REMOVAL });
    Validations.of(this.database.instance).acknowledge(
      { id: 'AwsSolutions-RDS3', reason: 'Development environment: a single-AZ instance halves the cost; an outage of one zone may stop development, and the production example is Multi-AZ.' },
      { id: 'AwsSolutions-RDS10', reason: 'Development environment: its data is disposable and is deleted with the stack; the production example keeps deletion protection on.' },
    );
  }
}

export interface ApplicationsStackProps extends StackProps {
  readonly network: SupabaseNetwork;
  readonly core: CoreStack;
}

/** Development: one pod of each service, up to three under load. */
const ONE_TO_THREE: SupabaseServiceScaling = { minReplicas: 1, maxReplicas: 3 };

/** The applications stack: the Supabase services on the cluster, wired to the core stack's parts. */
export class ApplicationsStack extends Stack {
  public readonly supabase: SupabaseOnAws;

  constructor(scope: Construct, id: string, props: ApplicationsStackProps) {
    super(scope, id, props);
    this.supabase = new SupabaseOnAws(this, 'Supabase', {
      network: props.network,
      secrets: props.core.secrets,
      cluster: props.core.cluster,
      database: props.core.database,
      storage: props.core.storage,
      publicUrl: PUBLIC_URL,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', CERTIFICATE_ARN),
      auth: {
        siteUrl: 'https://app-dev.example.com',
        additionalRedirectUrls: ['http://localhost:3000/**'],
        // No SMTP in development: addresses are confirmed at signup.
        mailerAutoconfirm: true,
      },
      // A week of container logs; the logs, like the load balancer's access logs, are deleted with the stack.
      removalPolicy: REMOVAL,
      observabilityOptions: { logRetention: logs.RetentionDays.ONE_WEEK },
      scaling: {
        kong: ONE_TO_THREE,
        auth: ONE_TO_THREE,
        rest: ONE_TO_THREE,
        realtime: ONE_TO_THREE,
        storage: ONE_TO_THREE,
        imgproxy: ONE_TO_THREE,
        meta: { minReplicas: 1 },
        studio: { minReplicas: 1 },
      },
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
  const core = new CoreStack(app, 'SupabaseDevCore', {
    env,
    description: 'Supabase on AWS, Ireland development: secrets, database, storage and EKS cluster',
    network: networking.network,
  });
  const applications = new ApplicationsStack(app, 'SupabaseDevApplications', {
    env,
    description: 'Supabase on AWS, Ireland development: the Supabase services on EKS',
    network: networking.network,
    core,
  });
  return { networking, core, applications };
}
