/**
 * The failover runbook can be carried out by the on-call role with what the apps give it: every command of
 * docs/disaster-recovery.md's "Failover runbook" is read, the IAM action and resource it needs are worked out from
 * the command itself (a table of the AWS CLI's commands and their actions, per the Service Authorization Reference),
 * and the runbook policy of the region the command runs in must allow it. The policies must be attached to the
 * on-call role, which also administers both clusters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExample } from './example-app';
import { evaluate, resolve } from '../policy-evaluator';

const ACCOUNT = '123456789012';
const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'disaster-recovery.md'), 'utf8');
const RUNBOOK = DOC.slice(DOC.indexOf('## Failover runbook'), DOC.indexOf('### Each step\'s permissions'));

const ireland = buildExample('ireland-prod').stacks;
const frankfurt = buildExample('frankfurt-dr').stacks;
const drCluster = (frankfurt.core as any).cluster.clusterName as string;
const SECURITY_GROUP = 'sg-0database0000000';
const MASTER_SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:DatabaseSecret-AbCdEf`;

/** What the runbook's placeholders stand for: outputs of the stacks (a security group id as a fake value). */
const STATUS_FUNCTION = 'SupabaseDrCore-DatabaseReplicaStatusFunction-AbCdEf';
const PLACEHOLDERS: Record<string, string> = {
  '<DatabaseSecurityGroupId>': SECURITY_GROUP,
  '<ClusterName>': drCluster,
  '<DatabaseSecretArn>': MASTER_SECRET,
  '<DatabaseReplicaStatusFunctionName>': STATUS_FUNCTION,
};

/** A runbook command: the program and its arguments, with the placeholders filled in. */
interface Command {
  readonly text: string;
  readonly words: string[];
  readonly option: (name: string) => string | undefined;
}

/** The commands of the runbook: every code span that runs `aws` or `npx`, and the `$(aws ...)` inside them. */
function runbookCommands(): Command[] {
  // A span ending in '...' only names a spelling of a command given in full beside it.
  const spans = [...RUNBOOK.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((t) => /^(aws|npx) /.test(t) && !t.endsWith('...'));
  const all = spans.flatMap((t) => [t.replace(/\$\((aws [^)]*)\)/g, '<subcommand>'), ...[...t.matchAll(/\$\((aws [^)]*)\)/g)].map((m) => m[1])]);
  return all.map((text) => {
    const filled = Object.entries(PLACEHOLDERS).reduce((s, [k, v]) => s.split(k).join(v), text);
    const words = filled.match(/'[^']*'|\S+/g) ?? [];
    return {
      text,
      words,
      option: (name: string) => {
        const i = words.indexOf(name);
        return i < 0 ? undefined : words[i + 1];
      },
    };
  });
}

/** The IAM actions and resources one command needs. */
interface Need {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
}

/** The AWS CLI commands the runbook may use, and what each needs (Service Authorization Reference). */
function needsOf(c: Command): Need[] {
  const region = c.option('--region') ?? '';
  const db = () => `arn:aws:rds:${region}:${ACCOUNT}:db:${c.option('--db-instance-identifier')}`;
  const [program, service, operation, sub] = c.words;
  if (program === 'npx' && service === 'cdk') {
    // The CLI assumes the bootstrap's deploy and file-publishing roles of the stack's region.
    return ['deploy-role', 'file-publishing-role'].map((role) => ({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${role}-${ACCOUNT}-eu-central-1` }));
  }
  if (program === 'npx' && service === 'supabase-on-aws-smoke-test') {
    const stack = c.option('--stack');
    return [
      { action: 'cloudformation:DescribeStacks', resource: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stack}/1a2b3c4d-0000-0000-0000-000000000000` },
      { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:supabase/ireland-prod/api-keys-AbCdEf` },
      { action: 'kms:Decrypt', resource: 'the Frankfurt secrets key', context: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    ];
  }
  if (program === 'npx') {
    throw new Error(`the runbook runs '${c.text}', which this test does not know: add what it needs`);
  }
  const key = `${service} ${operation}${operation === 'wait' ? ` ${sub}` : ''}`;
  const table: Record<string, () => Need[]> = {
    'lambda invoke': () => [{ action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${region}:${ACCOUNT}:function:${c.option('--function-name')}` }],
    'cloudwatch describe-alarms': () => [{ action: 'cloudwatch:DescribeAlarms', resource: '*' }],
    'ec2 describe-security-group-rules': () => [{ action: 'ec2:DescribeSecurityGroupRules', resource: '*' }],
    'ec2 revoke-security-group-ingress': () => [{
      action: 'ec2:RevokeSecurityGroupIngress', resource: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/${c.option('--group-id')}`,
    }],
    'rds reboot-db-instance': () => [{ action: 'rds:RebootDBInstance', resource: db() }],
    'rds describe-db-instances': () => [{ action: 'rds:DescribeDBInstances', resource: db() }],
    'secretsmanager cancel-rotate-secret': () => [{ action: 'secretsmanager:CancelRotateSecret', resource: c.option('--secret-id')! }],
    'rds promote-read-replica': () => [{ action: 'rds:PromoteReadReplica', resource: db() }],
    'rds wait db-instance-available': () => [{ action: 'rds:DescribeDBInstances', resource: db() }],
    'rds modify-db-instance': () => [{ action: 'rds:ModifyDBInstance', resource: db() }],
    'logs filter-log-events': () => [{
      action: 'logs:FilterLogEvents', resource: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${c.option('--log-group-name')}:*`,
    }],
  };
  const needs = table[key];
  if (!needs) {
    throw new Error(`the runbook runs 'aws ${key}', which this test does not know: add its IAM action and resource`);
  }
  return needs();
}

/** The runbook policy of a core stack, its CloudFormation references resolved to what AWS would see. */
function runbookPolicy(stack: Stack): { document: any; roles: unknown } {
  const template = Template.fromStack(stack);
  const [, policy] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .find(([, r]: [string, any]) => /runbook$/.test(r.Properties.ManagedPolicyName))! as [string, any];
  const refs: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.toJSON().Resources) as [string, any][]) {
    if (r.Type === 'AWS::EC2::SecurityGroup' && /Database/.test(id) && !/Proxy|Bootstrap|Rotation/.test(id)) refs[`${id}.GroupId`] = SECURITY_GROUP;
    if (r.Type === 'AWS::RDS::DBInstance') refs[id] = r.Properties.DBInstanceIdentifier;
    if (r.Type === 'AWS::KMS::Key' && /Secrets/.test(id)) refs[`${id}.Arn`] = 'the Frankfurt secrets key';
    if (r.Type === 'AWS::Lambda::Function' && /ReplicaStatus/.test(id)) refs[`${id}.Arn`] = `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:${STATUS_FUNCTION}`;
    // The master secret, as the instance's attachment resolves it.
    if (r.Type === 'AWS::SecretsManager::SecretTargetAttachment' && /Database/.test(id)) refs[id] = MASTER_SECRET;
  }
  return { document: resolve(policy.Properties.PolicyDocument, refs), roles: policy.Properties.Roles };
}

const POLICIES: Record<string, ReturnType<typeof runbookPolicy>> = {
  'eu-west-1': runbookPolicy(ireland.core),
  'eu-central-1': runbookPolicy(frankfurt.core),
};
const COMMANDS = runbookCommands();

test('the runbook has its commands, in both regions', () => {
  expect(COMMANDS.length).toBeGreaterThanOrEqual(10);
  expect(new Set(COMMANDS.map((c) => c.option('--region')).filter((r) => r))).toEqual(new Set(['eu-west-1', 'eu-central-1']));
  expect(RUNBOOK).not.toMatch(/`kubectl /);
});

describe.each(COMMANDS.map((c) => [c.text, c] as const))('%s', (_text, command) => {
  test('is allowed by the runbook policy of its region', () => {
    const region = command.option('--region') ?? 'eu-central-1';
    const { document } = POLICIES[region];
    for (const need of needsOf(command)) {
      expect({ need, decision: evaluate(document, { principal: { aws: `arn:aws:iam::${ACCOUNT}:role/supabase-on-call` }, ...need, context: need.context ?? {} }) })
        .toEqual({ need, decision: 'allow' });
    }
  });
});

test('the check can fail: what the runbook does not do is not allowed', () => {
  const ask = (region: string, action: string, resource: string) =>
    evaluate(POLICIES[region].document, { principal: {}, action, resource, context: {} });
  expect(ask('eu-central-1', 'rds:DeleteDBInstance', `arn:aws:rds:eu-central-1:${ACCOUNT}:db:supabase-frankfurt-dr`)).toBe('implicit-deny');
  expect(ask('eu-central-1', 'rds:PromoteReadReplica', `arn:aws:rds:eu-central-1:${ACCOUNT}:db:another-instance`)).toBe('implicit-deny');
  expect(ask('eu-central-1', 'lambda:InvokeFunction', `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:another-function`)).toBe('implicit-deny');
  expect(ask('eu-west-1', 'ec2:RevokeSecurityGroupIngress', `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0another`)).toBe('implicit-deny');
  expect(() => needsOf({ text: 'aws rds delete-db-instance', words: ['aws', 'rds', 'delete-db-instance'], option: () => undefined }))
    .toThrow(/does not know/);
});

test.each([['ireland-prod', ireland], ['frankfurt-dr', frankfurt]])('%s: the runbook policy is attached to the on-call role, which administers the cluster', (_name, stacks) => {
  const { roles } = runbookPolicy(stacks.core);
  expect(roles).toEqual(['supabase-on-call']);
  const entries = Object.values(Template.fromStack(stacks.core).findResources('AWS::EKS::AccessEntry'))
    .map((r: any) => resolve(r.Properties, {}))
    .filter((p: any) => p.PrincipalArn === `arn:aws:iam::${ACCOUNT}:role/supabase-on-call`);
  expect(entries.map((p: any) => p.AccessPolicies)).toEqual([[
    { AccessScope: { Type: 'cluster' }, PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy' },
  ]]);
});
