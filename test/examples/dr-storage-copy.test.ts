/**
 * The Storage objects really get copied, both ways, with the commands docs/disaster-recovery.md gives: every
 * `aws s3control create-job` there is read and checked against the templates of the site it runs in (the bucket,
 * the log bucket, the prefixes and the role it names are the ones the app creates and outputs; the role allows what
 * the job does; the bucket policy denies none of it), live replication is let into both buckets, and no documented
 * command reads or writes the buckets' objects, which their policies deny to everyone else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, ExampleStacks, buildExample } from './example-app';
import { evaluate, resolve } from '../policy-evaluator';

const ACCOUNT = '123456789012';
const ROOT = join(__dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'disaster-recovery.md'), 'utf8');
const TLS = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };

interface Site {
  readonly stacks: ExampleStacks;
  /** The names the site's resources would have once deployed (the log bucket's is generated: a stand-in). */
  readonly bucket: string;
  readonly logBucket: string;
  readonly batchRole: string;
  readonly replicationRole: string;
}

function site(name: string, logBucket: string): Site {
  const stacks = buildExample(name).stacks;
  const storage = (stacks.core as any).storage;
  const core = Template.fromStack(stacks.core).toJSON();
  const roleName = (id: string) => core.Resources[id].Properties.RoleName as string | undefined;
  const batchRoleId = Stack.of(stacks.core).resolve(storage.batchReplicationRole.roleArn)['Fn::GetAtt'][0];
  const replicationRoleId = Stack.of(stacks.core).resolve(storage.replicationRole.roleArn)['Fn::GetAtt'][0];
  expect(roleName(batchRoleId)).toBeUndefined();
  return {
    stacks,
    // Both buckets have fixed names (each site replicates into the other's).
    bucket: core.Resources[Stack.of(stacks.core).resolve(storage.bucket.bucketName).Ref].Properties.BucketName,
    logBucket,
    batchRole: `arn:aws:iam::${ACCOUNT}:role/${batchRoleId}-generated`,
    replicationRole: `arn:aws:iam::${ACCOUNT}:role/${roleName(replicationRoleId)}`,
  };
}

const SITES: Record<string, Site> = {
  'eu-west-1': site('ireland-prod', 'supabaseprodcore-storageaccesslogsbucket-1a2b3c'),
  'eu-central-1': site('frankfurt-dr', 'supabasedrcore-storageaccesslogsbucket-4d5e6f'),
};

/** The core template's references resolved to the names above: the buckets, their ARNs, the roles' ARNs. */
function coreRefs(s: Site): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [id, r] of Object.entries(Template.fromStack(s.stacks.core).toJSON().Resources) as [string, any][]) {
    if (r.Type === 'AWS::S3::Bucket') {
      const name = /AccessLogs/.test(id) ? s.logBucket : s.bucket;
      refs[id] = name;
      refs[`${id}.Arn`] = `arn:aws:s3:::${name}`;
    }
    if (r.Type === 'AWS::IAM::Role' && /^StorageBatchReplicationRole/.test(id)) refs[`${id}.Arn`] = s.batchRole;
    if (r.Type === 'AWS::IAM::Role' && /^StorageReplicationRole/.test(id)) refs[`${id}.Arn`] = s.replicationRole;
  }
  return refs;
}

/** The policies of a site, resolved: the Storage bucket's, and the identity policies of the two roles. */
function policies(s: Site) {
  const template = Template.fromStack(s.stacks.core);
  const refs = coreRefs(s);
  const bucketId = Object.keys(refs).find((k) => refs[k] === s.bucket)!;
  const bucketPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .find((p: any) => p.Properties.Bucket.Ref === bucketId) as any;
  const identity = (pattern: RegExp) => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => pattern.test(r.Ref)))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    return resolve({ Statement: statements }, refs);
  };
  return {
    bucket: resolve(bucketPolicy.Properties.PolicyDocument, refs),
    batchRole: identity(/^StorageBatchReplicationRole/),
    replicationRole: identity(/^StorageReplicationRole/),
  };
}

/** Every code span of the doc that runs a command. */
const spans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const words = (text: string) => text.match(/'[^']*'|\S+/g) ?? [];
const option = (w: string[], name: string) => {
  const i = w.indexOf(name);
  return i < 0 ? undefined : w[i + 1].replace(/^'|'$/g, '');
};

// The commands in full (a span of the command's name alone only names it, in the permissions table).
const JOBS = spans(DOC).filter((t) => t.startsWith('aws s3control create-job '));

test('the doc copies the objects both ways: a Batch Replication job in each region', () => {
  expect(JOBS.map((j) => option(words(j), '--region')).sort()).toEqual(['eu-central-1', 'eu-west-1']);
});

describe.each(JOBS.map((j) => [option(words(j), '--region')!, j] as const))('the Batch Replication job in %s', (region, text) => {
  const s = SITES[region];
  const w = words(text);
  const outputs = Template.fromStack(s.stacks.applications).toJSON().Outputs as Record<string, any>;
  const coreExports = Object.values(Template.fromStack(s.stacks.core).toJSON().Outputs ?? {}) as any[];
  /** What a placeholder `<Name>` stands for: the applications stack's output, traced to the core resource it exports. */
  const placeholder = (name: string) => {
    const [, output] = Object.entries(outputs).find(([k]) => new RegExp(`^Supabase${name}[0-9A-F]{8}$`).test(k))!;
    const exported = coreExports.find((e) => e.Export?.Name === output.Value['Fn::ImportValue']);
    return resolve(exported.Value, coreRefs(s)) as string;
  };
  const fill = (value: string) => value.replace(/<(Storage\w+)>/g, (_m, name) => placeholder(name)).replace('<account>', ACCOUNT);
  const generator = JSON.parse(fill(option(w, '--manifest-generator')!)).S3JobManifestGenerator;
  const report = JSON.parse(fill(option(w, '--report')!));
  const policy = policies(s);
  const batchRole = fill(option(w, '--role-arn')!);

  test('names the bucket, the log bucket and the Batch Replication role this site outputs', () => {
    expect(generator.SourceBucket).toBe(`arn:aws:s3:::${s.bucket}`);
    expect(generator.ManifestOutputLocation.Bucket).toBe(`arn:aws:s3:::${s.logBucket}`);
    expect(report.Bucket).toBe(`arn:aws:s3:::${s.logBucket}`);
    expect(batchRole).toBe(s.batchRole);
    expect(JSON.parse(option(w, '--operation')!)).toEqual({ S3ReplicateObject: {} });
    expect(option(w, '--account-id')).toBe('<account>');
  });

  test('replicates exactly what live replication left out: versions never replicated or failed, not replicas', () => {
    expect(generator.EnableManifestOutput).toBe(true);
    expect(generator.Filter).toEqual({ EligibleForReplication: true, ObjectReplicationStatuses: ['NONE', 'FAILED'] });
  });

  test('the role allows everything the job does, and the bucket policy denies none of it', () => {
    const manifest = `arn:aws:s3:::${s.logBucket}/${generator.ManifestOutputLocation.ManifestPrefix}/job-1/manifest.json`;
    const reportFile = `arn:aws:s3:::${s.logBucket}/${report.Prefix}/job-1/results/1.csv`;
    const needs: [string, string][] = [
      ['s3:InitiateReplication', `arn:aws:s3:::${s.bucket}/avatars/a.png`],
      ['s3:GetReplicationConfiguration', `arn:aws:s3:::${s.bucket}`],
      ['s3:PutInventoryConfiguration', `arn:aws:s3:::${s.bucket}`],
      ['s3:PutObject', manifest],
      ['s3:GetObject', manifest],
      ['s3:GetObjectVersion', manifest],
      ['s3:PutObject', reportFile],
    ];
    for (const [action, resource] of needs) {
      const request = { principal: { aws: batchRole }, action, resource, context: { ...TLS, 'aws:PrincipalArn': batchRole } };
      expect({ action, resource, role: evaluate(policy.batchRole, request) }).toEqual({ action, resource, role: 'allow' });
      if (resource.startsWith(`arn:aws:s3:::${s.bucket}`)) {
        expect({ action, bucketPolicy: evaluate(policy.bucket, request) }).not.toEqual({ action, bucketPolicy: 'deny' });
      }
    }
    // The check can fail: the role may not read the objects, and the bucket policy would deny it anyway.
    const read = { principal: { aws: batchRole }, action: 's3:GetObject', resource: `arn:aws:s3:::${s.bucket}/avatars/a.png`, context: { ...TLS, 'aws:PrincipalArn': batchRole } };
    expect(evaluate(policy.batchRole, read)).toBe('implicit-deny');
    expect(evaluate(policy.bucket, read)).toBe('deny');
  });
});

describe('live replication, both ways', () => {
  const ireland = SITES['eu-west-1'];
  const frankfurt = SITES['eu-central-1'];

  test.each([
    ['Ireland to Frankfurt', ireland, frankfurt],
    ['Frankfurt back to Ireland', frankfurt, ireland],
  ])('%s: the role reads the source and writes into the destination, and both bucket policies let it', (_name, source, destination) => {
    const object = (bucket: string) => `arn:aws:s3:::${bucket}/avatars/a.png`;
    const request = (action: string, resource: string, principal = source.replicationRole) => ({
      principal: { aws: principal }, action, resource, context: { ...TLS, 'aws:PrincipalArn': principal },
    });
    const role = policies(source).replicationRole;
    expect(evaluate(role, request('s3:GetObjectVersionForReplication', object(source.bucket)))).toBe('allow');
    expect(evaluate(role, request('s3:ReplicateObject', object(destination.bucket)))).toBe('allow');
    expect(evaluate(policies(source).bucket, request('s3:GetObjectVersionForReplication', object(source.bucket)))).not.toBe('deny');
    expect(evaluate(policies(destination).bucket, request('s3:ReplicateObject', object(destination.bucket)))).not.toBe('deny');
    // The control: another role of the account is denied by the destination's policy.
    expect(evaluate(policies(destination).bucket, request('s3:ReplicateObject', object(destination.bucket), `arn:aws:iam::${ACCOUNT}:role/Admin`))).toBe('deny');
  });

  test('each replicates into the bucket the other creates, encrypted with the other\'s storage key by alias', () => {
    const rule = (s: Site) => Object.values(Template.fromStack(s.stacks.core).findResources('AWS::S3::Bucket'))
      .map((b: any) => b.Properties.ReplicationConfiguration).find((c) => c)!.Rules[0];
    const aliasOf = (s: Site) => Object.values(Template.fromStack(s.stacks.core).findResources('AWS::KMS::Alias'))
      .map((a: any) => a.Properties.AliasName as string).find((a) => /storage$/.test(a))!;
    for (const [source, destination, region] of [[ireland, frankfurt, 'eu-central-1'], [frankfurt, ireland, 'eu-west-1']] as const) {
      expect(resolve(rule(source).Destination.Bucket, {})).toBe(`arn:aws:s3:::${destination.bucket}`);
      expect(rule(source).Destination.EncryptionConfiguration.ReplicaKmsKeyID).toBe(`arn:aws:kms:${region}:${ACCOUNT}:${aliasOf(destination)}`);
    }
  });
});

test('the replication checks name each site\'s applications stack, in its region', () => {
  const checks = spans(DOC).filter((t) => t.startsWith('npx supabase-on-aws-replication-check'));
  expect(checks.length).toBeGreaterThanOrEqual(2);
  for (const check of checks) {
    const w = words(check);
    const s = SITES[option(w, '--region')!];
    expect(option(w, '--stack')).toBe(s.stacks.applications.stackName);
  }
});

test('no documented command reads or writes the buckets\' objects', () => {
  // The README's explanations live in the docs pages: every page is read, the disaster-recovery one (DOC) among them.
  const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  expect(pages).toContain(join(ROOT, 'docs', 'disaster-recovery.md'));
  const docs = [...pages, join(ROOT, 'README.md'),
    ...['ireland-prod', 'frankfurt-dr'].map((e) => join(EXAMPLES, e, 'README.md'))].map((f) => readFileSync(f, 'utf8'));
  const objectCommands = docs.flatMap(spans).filter((t) => /^aws s3 (cp|sync|mv|rm) \S/.test(t) || /^aws s3api (get|put|copy|delete)-object /.test(t));
  expect(objectCommands).toEqual([]);
});
