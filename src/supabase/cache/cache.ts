import {
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  aws_ec2 as ec2,
  aws_elasticache as elasticache,
  aws_iam as iam,
  aws_kms as kms,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCacheEngine, SupabaseCacheSettings } from './cache-settings';
import { configError } from '../../private/errors';
import { keyUseThroughSecretsManager } from '../../private/kms';
import { WARNINGS, warn } from '../../private/warnings';

/** Not the engines' default 6379: a client must be told where the cache is (cdk-nag AwsSolutions-AEC5). */
export const CACHE_PORT = 6380;

/** The node families ElastiCache offers today for Valkey and Redis OSS; another one gets a warning, not an error. */
const NODE_FAMILIES = ['t3', 't4g', 'm5', 'm6g', 'm7g', 'r5', 'r6g', 'r6gd', 'r7g', 'c7gn'];

export interface CacheProps extends SupabaseCacheSettings {
  readonly vpc: ec2.IVpc;
  /** The EKS tier's subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** What may connect: the cluster. */
  readonly clients: ec2.IConnectable;
  /** The AUTH token's name in Secrets Manager. */
  readonly secretName: string;
  /** The key of the AUTH token's secret (the deployment's secrets key). */
  readonly secretKey: kms.IKey;
  /** What happens to the AUTH token's secret when it leaves the stack. */
  readonly secretRemovalPolicy: RemovalPolicy;
}

/**
 * An ElastiCache replication group (cluster mode off) in the EKS tier: encrypted at rest and in transit (TLS
 * required), an AUTH token generated in Secrets Manager and resolved by CloudFormation, a security group that
 * admits only the cluster on the cache port, Multi-AZ with automatic failover when it has a replica.
 */
export class Cache extends Construct {
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  public readonly connections: ec2.Connections;
  public readonly secret: secretsmanager.Secret;
  /** The primary endpoint's host name. */
  public readonly host: string;
  public readonly port = CACHE_PORT;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const engine = props.engine ?? SupabaseCacheEngine.VALKEY_8_0;
    const nodeType = validateNodeType(scope, props.nodeType ?? 'cache.t4g.small');
    const replicas = validateReplicas(scope, props.replicas ?? 1);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;

    this.secret = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: props.secretName,
      description: `The AUTH token of the Supabase cache of ${scope.node.path} (${engine.engine} ${engine.version})`,
      encryptionKey: props.secretKey,
      removalPolicy: props.secretRemovalPolicy,
      // 16 to 128 printable characters without '/', '"' or '@': letters and digits, which also fit in a URL.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'password', passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'ElastiCache takes a new AUTH token only through a ROTATE then SET modification of the group, which a Secrets Manager rotation function cannot coordinate with the clients reading the secret; the token never leaves Secrets Manager, the group and the pods\' Secret, and the group admits only the cluster over TLS.',
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Supabase cache of ${scope.node.path}: ${engine.engine} on ${CACHE_PORT} from the EKS cluster only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(CACHE_PORT) });
    this.connections.allowDefaultPortFrom(props.clients, 'Pods and nodes of the Supabase EKS cluster');

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: `Supabase cache of ${scope.node.path}: the EKS tier`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: `Supabase cache of ${scope.node.path}`,
      engine: engine.engine,
      engineVersion: engine.version,
      cacheNodeType: nodeType,
      numCacheClusters: 1 + replicas,
      automaticFailoverEnabled: replicas > 0,
      multiAzEnabled: replicas > 0,
      port: CACHE_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      // A dynamic reference: CloudFormation reads the token at deployment; the template holds only the ARN.
      authToken: this.secret.secretValueFromJson('password').unsafeUnwrap(),
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(removalPolicy);
    this.host = this.replicationGroup.attrPrimaryEndPointAddress;
  }

  /**
   * Lets `grantee` read the AUTH token. The policy lives in this construct's stack, so that a role of an earlier
   * stack (the cluster's) does not point at this one.
   */
  public grantRead(grantee: iam.IRole): iam.Policy {
    return new iam.Policy(this, 'ReadAuthToken', {
      roles: [grantee],
      statements: [
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [this.secret.secretArn],
        }),
        keyUseThroughSecretsManager(this, this.secret.encryptionKey!, ['kms:Decrypt']),
      ],
    });
  }
}

function validateNodeType(scope: Construct, nodeType: string): string {
  if (Token.isUnresolved(nodeType)) {
    return nodeType;
  }
  const match = /^cache\.([a-z0-9]+)\.[a-z0-9]+$/.exec(nodeType);
  if (!match) {
    throw configError(scope, `\`cache.nodeType\` is '${nodeType}', which is not an ElastiCache node type. Use 'cache.<family>.<size>', e.g. 'cache.t4g.small' or 'cache.r7g.large'.`);
  }
  if (!NODE_FAMILIES.includes(match[1])) {
    warn(scope, WARNINGS.cacheNodeType,
      `\`cache.nodeType\` is '${nodeType}', whose family ${match[1]} is not one of the families ElastiCache offers for Valkey and Redis OSS as this library knows them (${NODE_FAMILIES.join(', ')}). Check that the type exists in ${Stack.of(scope).region}, or the deployment fails.`);
  }
  return nodeType;
}

function validateReplicas(scope: Construct, replicas: number): number {
  if (!Token.isUnresolved(replicas) && (!Number.isInteger(replicas) || replicas < 0 || replicas > 5)) {
    throw configError(scope, `\`cache.replicas\` is ${replicas}; a replication group has 0 to 5 read replicas. Use 1 or more for Multi-AZ with automatic failover, 0 for a single node.`);
  }
  return replicas;
}
