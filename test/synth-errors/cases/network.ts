/**
 * Class 4: network and cluster mistakes: availability zones (duplicates, another region's, zone IDs), retention
 * values CloudWatch Logs does not take, a VPC whose subnets span one zone, instance types in the wrong form,
 * plain strings where a constant belongs, and a Cluster Autoscaler release of another Kubernetes minor.
 */
import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { SupabaseCluster, SupabaseOnAws } from '../../../src';
import { BadInput } from '../bad-input';
import { clusterWith, databaseWith, networkWith, nodeGroup, quickStart, storageWith, supabaseWith, vpcIn } from '../stacks';

const withInstanceType = (type: string) => clusterWith({ nodeGroups: [nodeGroup({ instanceTypes: [new ec2.InstanceType(type)] })] });

/** A VPC imported with its subnets in one zone (eu-west-1a). */
function oneZoneVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a'],
    publicSubnetIds: ['subnet-00000000000000001'],
    privateSubnetIds: ['subnet-00000000000000002'],
    isolatedSubnetIds: ['subnet-00000000000000003'],
  });
}

/** SupabaseOnAws in a VPC of your own (`vpc`, no network), with `vpcSubnets`. */
function supabaseInVpc(vpcSubnets: Record<string, any>): (stack: Stack) => void {
  return (stack) => {
    new SupabaseOnAws(stack, 'Supabase', { ...quickStart(stack), networkProps: undefined, vpc: vpcIn(stack), vpcSubnets } as any);
  };
}

export const NETWORK_CASES: BadInput[] = [
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'availabilityZones',
    value: "['eu-west-1a', 'eu-west-1a']",
    build: networkWith({ availabilityZones: ['eu-west-1a', 'eu-west-1a'] }),
    error: "`availabilityZones` lists 'eu-west-1a' more than once",
  },
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'availabilityZones',
    value: "['eu-central-1a', 'eu-west-1b']",
    build: networkWith({ availabilityZones: ['eu-central-1a', 'eu-west-1b'] }),
    error: "`availabilityZones` lists 'eu-central-1a', a zone of eu-central-1, but the stack is in eu-west-1. Use zones of eu-west-1 such as 'eu-west-1a'.",
  },
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'availabilityZones',
    value: "['euw1-az1', 'euw1-az2']",
    build: networkWith({ availabilityZones: ['euw1-az1', 'euw1-az2'] }),
    error: "`availabilityZones` lists 'euw1-az1', a zone ID; subnets take zone names such as 'eu-west-1a'",
  },
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'availabilityZones',
    value: "['eu-west-1a', 'eu-west-1d']",
    build: networkWith({ availabilityZones: ['eu-west-1a', 'eu-west-1d'] }),
    error: "`availabilityZones` lists 'eu-west-1d', which is not one of the account's zones in eu-west-1 (eu-west-1a, eu-west-1b, eu-west-1c)",
  },
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'azCount',
    value: '2.5',
    build: networkWith({ azCount: 2.5 }),
    error: '`azCount` is 2.5; it counts availability zones. Use a whole number',
  },
  {
    construct: 'SupabaseNetwork',
    class: 'network',
    prop: 'flowLogRetention',
    value: '45',
    build: networkWith({ flowLogRetention: 45 }),
    error: 'got the number 45. It takes only the listed values; the nearest are `logs.RetentionDays.ONE_MONTH` (30) and `logs.RetentionDays.TWO_MONTHS` (60).',
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'logRetention',
    value: '100',
    build: clusterWith({ logRetention: 100 }),
    error: 'the nearest are `logs.RetentionDays.THREE_MONTHS` (90) and `logs.RetentionDays.FOUR_MONTHS` (120)',
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'vpc',
    value: 'ec2.Vpc.fromVpcAttributes(... one zone ...)',
    build: (stack) => { new SupabaseCluster(stack, 'Cluster', { vpc: oneZoneVpc(stack) }); },
    error: '`vpc` and `vpcSubnets` select subnets in one availability zone (eu-west-1a); EKS needs subnets in at least two zones',
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'vpcSubnets',
    value: "{ availabilityZones: ['eu-west-1b'] }",
    build: clusterWith({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: ['eu-west-1b'] } }),
    error: 'select subnets in one availability zone (eu-west-1b); EKS needs subnets in at least two zones',
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].instanceTypes',
    value: "[new ec2.InstanceType('m6i')]",
    build: withInstanceType('m6i'),
    error: "has `instanceTypes[0]` 'm6i', a family without a size. Add the size: Use `new ec2.InstanceType('m6i.large')`.",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].instanceTypes',
    value: "[new ec2.InstanceType('db.m6i.large')]",
    build: withInstanceType('db.m6i.large'),
    error: "'db.m6i.large', an RDS instance class; nodes are EC2 instances, named without the 'db.' prefix. Use `new ec2.InstanceType('m6i.large')`.",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].instanceTypes',
    value: "[new ec2.InstanceType('M6I.LARGE')]",
    build: withInstanceType('M6I.LARGE'),
    error: "'M6I.LARGE'; EC2 instance types are lower case. Use `new ec2.InstanceType('m6i.large')`.",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].instanceTypes',
    value: "[new ec2.InstanceType('m6i.large ')]",
    build: withInstanceType('m6i.large '),
    error: "'m6i.large ', with spaces around it. Use `new ec2.InstanceType('m6i.large')`.",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].capacityType',
    value: "'spot'",
    build: clusterWith({ nodeGroups: [nodeGroup({ capacityType: 'spot' })] }),
    error: "got the string 'spot'. Use `eks.CapacityType.SPOT`.",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'nodeGroups[0].amiType',
    value: "'AL2023_ARM64_STANDARD'",
    build: clusterWith({ nodeGroups: [nodeGroup({ amiType: 'AL2023_ARM64_STANDARD' })] }),
    error: 'Did you mean `eks.NodegroupAmiType.AL2023_ARM_64_STANDARD`?',
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'version',
    value: "'1.31'",
    build: clusterWith({ version: '1.31' }),
    error: "Use `SupabaseKubernetesVersion.of('1.31', new KubectlV31Layer(this, 'KubectlLayer'))` with the layer of @aws-cdk/lambda-layer-kubectl-v31",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'clusterAutoscalerImageTag',
    value: "'v1.30.2'",
    build: clusterWith({ clusterAutoscalerImageTag: 'v1.30.2' }),
    error: "`clusterAutoscalerImageTag` 'v1.30.2' is a release for Kubernetes 1.30 but `version` is 1.36; the Cluster Autoscaler's minor version must match the cluster's. Use 'v1.36.1'",
  },
  {
    construct: 'SupabaseCluster',
    class: 'network',
    prop: 'clusterAutoscalerImageTag',
    value: "'1.36.1'",
    build: clusterWith({ clusterAutoscalerImageTag: '1.36.1' }),
    error: "`clusterAutoscalerImageTag` '1.36.1' is not a Cluster Autoscaler release tag; tags have the form 'v<major>.<minor>.<patch>'. Use 'v1.36.1'",
  },
  {
    construct: 'SupabaseDatabase',
    class: 'network',
    prop: 'cloudwatchLogsRetention',
    value: '2000',
    build: databaseWith({ cloudwatchLogsRetention: 2000 }),
    error: 'the nearest are `logs.RetentionDays.FIVE_YEARS` (1827) and `logs.RetentionDays.SIX_YEARS` (2192)',
  },
  {
    construct: 'SupabaseDatabase',
    class: 'network',
    prop: 'performanceInsightRetention',
    value: '30',
    build: databaseWith({ performanceInsightRetention: 30 }),
    error: 'the nearest are `rds.PerformanceInsightRetention.DEFAULT` (7) and `rds.PerformanceInsightRetention.MONTHS_1` (31)',
  },
  {
    construct: 'SupabaseDatabase',
    class: 'network',
    prop: 'engineVersion',
    value: "'17.6'",
    build: databaseWith({ engineVersion: '17.6' }),
    error: "got the string '17.6'. Use `rds.PostgresEngineVersion.VER_17_6`.",
  },
  {
    construct: 'SupabaseStorage',
    class: 'network',
    prop: 'noncurrentVersionStorageClass',
    value: "'GLACIER_IR'",
    build: storageWith({ noncurrentVersionStorageClass: 'GLACIER_IR' }),
    error: 'Use `s3.StorageClass.GLACIER_INSTANT_RETRIEVAL`.',
  },
  {
    construct: 'SupabaseOnAws',
    class: 'network',
    prop: 'vpcSubnets.loadBalancer',
    value: "{ availabilityZones: ['eu-west-1a'] }",
    build: supabaseInVpc({ loadBalancer: { subnetType: ec2.SubnetType.PUBLIC, availabilityZones: ['eu-west-1a'] } }),
    error: '`vpcSubnets.loadBalancer` selects subnets of `vpc` in one availability zone (eu-west-1a); an Application Load Balancer needs subnets in at least two zones',
  },
  {
    construct: 'SupabaseOnAws',
    class: 'network',
    prop: 'networkProps.availabilityZones',
    value: "['eu-west-1a', 'eu-west-1b', 'eu-west-1b']",
    build: supabaseWith({ networkProps: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1b'] } }),
    error: "`availabilityZones` lists 'eu-west-1b' more than once",
  },
  {
    construct: 'SupabaseOnAws',
    class: 'network',
    prop: 'observabilityOptions.logRetention',
    value: '0',
    build: supabaseWith({ observabilityOptions: { logRetention: 0 } }),
    error: 'got the number 0. It takes only the listed values; the nearest are `logs.RetentionDays.ONE_DAY` (1).',
  },
  {
    construct: 'SupabaseOnAws',
    class: 'network',
    prop: 'cache.engine',
    value: "'valkey'",
    build: supabaseWith({ cache: { engine: 'valkey' } }),
    error: "got the string 'valkey'. Use `SupabaseCacheEngine.VALKEY_8_0`.",
  },
  {
    construct: 'SupabaseOnAws',
    class: 'network',
    prop: 'clusterOptions.clusterAutoscalerImageTag',
    value: "'v1.35.2'",
    build: supabaseWith({ clusterOptions: { clusterAutoscalerImageTag: 'v1.35.2' } }),
    error: "'v1.35.2' is a release for Kubernetes 1.35 but `version` is 1.36",
  },
];
