import {
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { POSTGRES_PORT } from '../../private/ports';

/** What {@link createDatabaseProxy} needs to know. */
export interface DatabaseProxySettings {
  /** The instance the proxy fronts (a writer: RDS Proxy cannot front a read replica). */
  readonly instance: rds.IDatabaseInstance;
  /** The instance's identifier: the proxy is named after it. */
  readonly instanceIdentifier: string;
  readonly vpc: ec2.IVpc;
  /** The proxy's subnets (the instance's). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The login secrets of the services that connect through the proxy: one auth entry each. */
  readonly secrets: secretsmanager.ISecret[];
  /** The share of the instance's `max_connections` the proxy may open, in percent. */
  readonly maxConnectionsPercent: number;
}

/** The proxy and the connections of its security group (with 5432 as the default port). */
export interface DatabaseProxyParts {
  readonly proxy: rds.DatabaseProxy;
  readonly connections: ec2.Connections;
}

/**
 * An RDS Proxy in front of a Supabase database: in the instance's subnets, TLS required from every client, SCRAM
 * passwords (no IAM authentication: the services log in with the passwords of their login secrets), one auth entry
 * per service login secret, a role that may read exactly those secrets (and decrypt them), and a security group of
 * its own that admits nothing until a caller is allowed and reaches only the instance on 5432.
 */
export function createDatabaseProxy(scope: Construct, settings: DatabaseProxySettings): DatabaseProxyParts {
  const path = scope.node.path;
  const securityGroup = new ec2.SecurityGroup(scope, 'ProxySecurityGroup', {
    vpc: settings.vpc,
    description: `RDS Proxy of the Supabase database ${path}: PostgreSQL from the callers allowed through proxyConnections, to the instance only`,
    allowAllOutbound: false,
  });
  const role = new iam.Role(scope, 'ProxyRole', {
    assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
    description: `Lets the RDS Proxy of ${path} read the login secrets of the services it serves`,
  });
  const proxy = new rds.DatabaseProxy(scope, 'Proxy', {
    proxyTarget: rds.ProxyTarget.fromInstance(settings.instance),
    dbProxyName: proxyName(settings.instanceIdentifier),
    secrets: settings.secrets,
    vpc: settings.vpc,
    vpcSubnets: settings.vpcSubnets,
    securityGroups: [securityGroup],
    role,
    requireTLS: true,
    iamAuth: false,
    clientPasswordAuthType: rds.ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
    maxConnectionsPercent: settings.maxConnectionsPercent,
  });
  // The target's binding has already let the proxy's group into the instance's (and out to it) on the port.
  const connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(POSTGRES_PORT) });
  return { proxy, connections };
}

/**
 * `<instance identifier>-proxy`: at most 60 characters, a letter first, no trailing or doubled hyphen (RDS's rules).
 * The identifier follows the same rules, up to 63 characters.
 */
function proxyName(instanceIdentifier: string): string {
  return `${instanceIdentifier.slice(0, 54).replace(/-+$/, '')}-proxy`;
}
