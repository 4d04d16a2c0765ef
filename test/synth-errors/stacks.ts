/** The stacks and the valid parts the rows of the bad-input table build their mistakes on. */
import { App, Stack, aws_certificatemanager as acm, aws_ec2 as ec2, aws_eks_v2 as eks } from 'aws-cdk-lib';
import { SupabaseCluster, SupabaseDatabase, SupabaseNetwork, SupabaseOnAws, SupabaseSecrets, SupabaseStorage } from '../../src';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** A fresh stack in eu-west-1 whose account has the three Ireland zones. */
export function freshStack(): Stack {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: AZS } });
  return new Stack(app, 'Bad', { env: { account: ACCOUNT, region: REGION } });
}

/** The README's quick start's props (in `stack`, with the zones of freshStack's account). */
export function quickStart(stack: Stack) {
  return {
    publicUrl: 'https://supabase.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate',
      `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`),
    auth: { siteUrl: 'https://app.example.com' },
    networkProps: { eksSubnetCidrs: ['10.100.32.0/20', '10.100.48.0/20', '10.100.64.0/20'] },
  };
}

/** SupabaseOnAws with the quick start's props and `props` on top (typed loosely, as a JavaScript caller passes them). */
export function supabaseWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => {
    new SupabaseOnAws(stack, 'Supabase', { ...quickStart(stack), ...props } as any);
  };
}

/** A VPC for the constructs that take one (SupabaseCluster, SupabaseDatabase), in freshStack's three zones. */
export function vpcIn(stack: Stack): ec2.IVpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'eks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** A valid node group of SupabaseCluster's `nodeGroups`, with `extra` on top. */
export const nodeGroup = (extra: Record<string, any>) => ({
  name: 'general',
  instanceTypes: [new ec2.InstanceType('m7g.large')],
  capacityType: eks.CapacityType.ON_DEMAND,
  minSize: 2,
  desiredSize: 2,
  maxSize: 4,
  ...extra,
});

/** A construct with `props` as a JavaScript caller passes them (typed loosely). */
export function networkWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => { new SupabaseNetwork(stack, 'Network', props as any); };
}
export function secretsWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => { new SupabaseSecrets(stack, 'Secrets', props as any); };
}
export function storageWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => { new SupabaseStorage(stack, 'Storage', props as any); };
}
/** SupabaseCluster and SupabaseDatabase get a VPC (`vpcIn`) unless `props` sets `vpc` (even to undefined). */
export function clusterWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => { new SupabaseCluster(stack, 'Cluster', { vpc: vpcIn(stack), ...props } as any); };
}
export function databaseWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => { new SupabaseDatabase(stack, 'Database', { vpc: vpcIn(stack), ...props } as any); };
}
