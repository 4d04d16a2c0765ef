/** The stacks and the valid parts the rows of the bad-input table build their mistakes on. */
import { App, Stack, aws_certificatemanager as acm, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { SupabaseDatabase, SupabaseOnAws } from '../../src';

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

/**
 * A SupabaseDatabase with `props` in a plain VPC of freshStack's three zones (public, private-with-egress and isolated
 * subnets: the database's default is the isolated ones), typed loosely, as a JavaScript caller passes them.
 */
export function databaseWith(props: Record<string, any>): (stack: Stack) => void {
  return (stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 3,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    new SupabaseDatabase(stack, 'Database', { vpc, ...props } as any);
  };
}
