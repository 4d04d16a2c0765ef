import { App, Duration, Fn, Lazy, RemovalPolicy, Stack, Token, Validations, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { SupabaseStorage, SupabaseStorageProps } from '../../src/storage';
import { evaluate, resolve } from '../policy-evaluator';

const ACCOUNT = '111122223333';
const DR_KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function irelandStack(): Stack {
  return new Stack(new App(), 'St', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

function synth(props: SupabaseStorageProps = {}, configure?: (stack: Stack, storage: SupabaseStorage) => void, stack = irelandStack()) {
  const storage = new SupabaseStorage(stack, 'Storage', props);
  configure?.(stack, storage);
  return { stack, storage, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };

function only(template: Template, type: string, props: any = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, props));
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

const mainBucket = (template: Template) => only(template, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } });
const bucketId = (template: Template) => mainBucket(template)[0];
const bucketArn = (template: Template) => ({ 'Fn::GetAtt': [bucketId(template), 'Arn'] });
const objectsArn = (template: Template) => ({ 'Fn::Join': ['', [bucketArn(template), '/*']] });

function bucketPolicyStatements(template: Template): any[] {
  return only(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId(template) } } })[1].Properties.PolicyDocument.Statement;
}

function denyOthers(template: Template): any {
  return bucketPolicyStatements(template).find((statement) => statement.Sid === 'DenyObjectAccessToOtherPrincipals');
}

function policyStatementsOf(template: Template, roleId: string): any[] {
  return only(template, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })[1].Properties.PolicyDocument.Statement;
}

/** The rule ids acknowledged on a construct itself (not its ancestors). */
function acknowledged(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data).map((id) => id.replace(/^annotation::/i, '')));
}

function violations(stack: Stack) {
  return new AwsSolutionsChecks().validateScope(stack).violations;
}

function drReplication(stack: Stack, bucket?: s3.IBucket) {
  return {
    destinationBucket: bucket ?? s3.Bucket.fromBucketAttributes(stack, 'DrBucket', { bucketName: 'supabase-dr', region: 'eu-central-1' }),
    destinationKey: kms.Key.fromKeyArn(stack, 'DrKey', DR_KEY_ARN),
  };
}

const BLOCK_ALL = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

const DATA_ACTIONS = [
  's3:GetObject*',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:Replicate*',
];

describe('SupabaseStorage defaults', () => {
  const { stack, storage, template } = synth();

  test('a versioned bucket, encrypted with its own key and a bucket key, all public access blocked, ACLs disabled', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
          },
        }],
      },
      PublicAccessBlockConfiguration: BLOCK_ALL,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucketId(template)).toMatch(/^StorageBucket[0-9A-F]{8}$/);
  });

  test('the bucket, the log bucket and the key are retained when they leave the stack', () => {
    expect(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })).toEqual(template.findResources('AWS::S3::Bucket'));
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(Object.values(template.findResources('AWS::S3::Bucket')).map((b) => b.Properties.AutoDeleteObjects)).toEqual([undefined, undefined]);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('the key rotates and has an alias named after the construct', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/St/Storage/storage' });
    expect(storage.encryptionKey).toBeInstanceOf(kms.Key);
  });

  test('the bucket policy denies every request without TLS, and with TLS older than 1.2', () => {
    const statements = bucketPolicyStatements(template);
    const everything = [bucketArn(template), objectsArn(template)];
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: everything,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: everything,
      Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    });
  });

  test('with nobody allowed yet, the bucket policy denies object access to every principal, but no configuration action', () => {
    expect(denyOthers(template)).toEqual({
      Sid: 'DenyObjectAccessToOtherPrincipals',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: DATA_ACTIONS,
      Resource: [bucketArn(template), objectsArn(template)],
    });
    expect(bucketPolicyStatements(template)).toHaveLength(3);
  });

  test('lifecycle: incomplete multipart uploads aborted after 7 days, noncurrent versions to Standard-IA at 30 days and expired at 90', () => {
    expect(mainBucket(template)[1].Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
        {
          Id: 'NoncurrentVersions',
          Status: 'Enabled',
          NoncurrentVersionTransitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          ExpiredObjectDeleteMarker: true,
        },
      ],
    });
  });

  test('no CORS rule (so no wildcard), no Transfer Acceleration, no replication', () => {
    const props = mainBucket(template)[1].Properties;
    expect(props.CorsConfiguration).toBeUndefined();
    expect(props.AccelerateConfiguration).toBeUndefined();
    expect(props.ReplicationConfiguration).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Role', 0);
    expect(storage.replicationRole).toBeUndefined();
  });

  test('server access logs go to the separate log bucket', () => {
    const [logBucketId] = only(template, 'AWS::S3::Bucket', { Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } });
    expect(logBucketId).toMatch(/^StorageAccessLogsBucket/);
    expect(mainBucket(template)[1].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucketId },
      LogFilePrefix: 'storage/',
    });
  });

  test('the log bucket: SSE-S3, all public access blocked, ACLs disabled, TLS 1.2+ only, logs expire after 365 days, not logged itself', () => {
    const [logBucketId, logBucket] = only(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.absent() } });
    expect(logBucket.Properties).toEqual({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: BLOCK_ALL,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 365 }] },
    });
    const statements = only(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logBucketId } } })[1].Properties.PolicyDocument.Statement;
    const logBucketArn = { 'Fn::GetAtt': [logBucketId, 'Arn'] };
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      {
        Sid: 'AllowServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [logBucketArn, '/storage/*']] },
        Condition: { ArnLike: { 'aws:SourceArn': bucketArn(template) }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
  });

  test('exposes the bucket, the log bucket and the key', () => {
    const stackOf = Stack.of(storage);
    expect(stackOf.resolve(storage.bucket.bucketName)).toEqual({ Ref: bucketId(template) });
    expect(stackOf.resolve(storage.logBucket.bucketName)).toEqual({ Ref: expect.stringMatching(/^StorageAccessLogsBucket/) });
    expect(stackOf.resolve(storage.encryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] });
  });

  test('nothing is acknowledged: cdk-nag counts the log bucket, the target of the access logs, as logged', () => {
    expect(storage.node.findAll().flatMap(acknowledged)).toEqual([]);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    expect(violations(stack)).toEqual([]);
  });
});

describe('SupabaseStorage.grantReadWrite', () => {
  const { stack, storage, template } = synth({}, (s, st) => {
    const role = new iam.Role(s, 'StorageApiRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const grant = st.grantReadWrite(role);
    expect(grant.success).toBe(true);
    st.grantReadWrite(role); // a second grant to the same role changes nothing
  });
  const roleId = only(template, 'AWS::IAM::Role')[0];

  test('grants exactly the object, bucket and KMS actions of the Storage API, on this bucket and key only, KMS through S3 only', () => {
    expect(policyStatementsOf(template, roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: objectsArn(template),
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: bucketArn(template),
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  test('the grantee, and only it, is let through the bucket policy\'s deny', () => {
    expect(denyOthers(template)).toEqual({
      Sid: 'DenyObjectAccessToOtherPrincipals',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: DATA_ACTIONS,
      Resource: [bucketArn(template), objectsArn(template)],
      Condition: { StringNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId, 'Arn'] }] } },
    });
  });

  test('the grantee acknowledges exactly the IAM5 finding for this bucket\'s objects', () => {
    const role = stack.node.findChild('StorageApiRole');
    expect(acknowledged(role)).toEqual([`AwsSolutions-IAM5[Resource::<${bucketId(template)}.Arn>/*]`]);
    expect(violations(stack)).toEqual([]);
    expect(storage.bucket).toBeDefined();
  });

  test('grantees added after construction, imported roles and users join the lazily built allow list in order', () => {
    const { template: t } = synth({ allowedPrincipalArns: ['arn:aws:iam::111122223333:role/backup'] }, (s, st) => {
      st.grantReadWrite(iam.Role.fromRoleArn(s, 'Imported', 'arn:aws:iam::111122223333:role/supabase-storage-api'));
      st.grantReadWrite(new iam.User(s, 'Operator'));
      st.addAllowedPrincipalArn('arn:aws:iam::111122223333:role/break-glass');
    });
    expect(denyOthers(t).Condition).toEqual({
      StringNotEquals: {
        'aws:PrincipalArn': [
          'arn:aws:iam::111122223333:role/backup',
          'arn:aws:iam::111122223333:role/supabase-storage-api',
          { 'Fn::GetAtt': [expect.stringMatching(/^Operator/), 'Arn'] },
          'arn:aws:iam::111122223333:role/break-glass',
        ],
      },
    });
    // The imported role's policy is in this stack, with the same statements.
    expect(Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: ['supabase-storage-api'] } }))[0].Properties.PolicyDocument.Statement).toHaveLength(3);
  });

  test('a principal of another account gets the same statements in the bucket policy, and joins the allow list', () => {
    const { template: t } = synth({}, (_s, st) => {
      st.grantReadWrite(new iam.ArnPrincipal('arn:aws:iam::444455556666:role/remote-storage'));
    });
    expect(bucketPolicyStatements(t)).toContainEqual({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:role/remote-storage' },
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: objectsArn(t),
    });
    expect(denyOthers(t).Condition.StringNotEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::444455556666:role/remote-storage']);
    expect(only(t, 'AWS::KMS::Key')[1].Properties.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:role/remote-storage' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
  });

  test.each<[string, () => iam.IGrantable]>([
    ['a service principal', () => new iam.ServicePrincipal('lambda.amazonaws.com')],
    ['an account', () => new iam.AccountRootPrincipal()],
    ['anyone', () => new iam.AnyPrincipal()],
    ['several principals', () => new iam.CompositePrincipal(new iam.ArnPrincipal('arn:aws:iam::111122223333:role/a'), new iam.ArnPrincipal('arn:aws:iam::111122223333:role/b'))],
    ['a principal with conditions', () => new iam.ArnPrincipal('arn:aws:iam::111122223333:role/a').withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } })],
  ])('refuses %s, which has no single ARN for aws:PrincipalArn', (_name, grantee) => {
    const other = synth().storage;
    expect(() => other.grantReadWrite(grantee())).toThrow(
      /^SupabaseStorage St\/Storage: `grantReadWrite` grantee .+ is not a single IAM role or user, so the bucket policy cannot admit it by `aws:PrincipalArn`\. Grant to the Storage API's IAM role \(an IRSA role is an iam\.Role\), or to an IAM user\.$/);
  });
});

describe('SupabaseStorage options', () => {
  test('CORS: one rule for the listed origins, with the methods and headers of Supabase clients, TUS and S3', () => {
    const { template } = synth({ corsAllowedOrigins: ['https://app.example.com', 'https://*.example.org'] });
    expect(mainBucket(template)[1].Properties.CorsConfiguration).toEqual({
      CorsRules: [{
        Id: 'BrowserAccess',
        AllowedOrigins: ['https://app.example.com', 'https://*.example.org'],
        AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
        AllowedHeaders: [
          'authorization', 'apikey', 'x-client-info', 'content-type', 'cache-control', 'x-upsert',
          'tus-resumable', 'upload-length', 'upload-metadata', 'upload-offset', 'content-md5', 'x-amz-*',
        ],
        ExposedHeaders: ['ETag', 'Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable'],
        MaxAge: 3600,
      }],
    });
  });

  test('CORS: a wildcard origin is accepted when asked for explicitly without credentials, and credentials with listed origins', () => {
    expect(mainBucket(synth({ corsAllowedOrigins: ['*'] }).template)[1].Properties.CorsConfiguration.CorsRules[0].AllowedOrigins).toEqual(['*']);
    expect(() => synth({ corsAllowedOrigins: ['https://app.example.com'], corsAllowCredentials: true })).not.toThrow();
  });

  test('Intelligent-Tiering for current objects, Transfer Acceleration', () => {
    const { template } = synth({ intelligentTiering: true, transferAcceleration: true });
    const props = mainBucket(template)[1].Properties;
    expect(props.AccelerateConfiguration).toEqual({ AccelerationStatus: 'Enabled' });
    expect(props.LifecycleConfiguration.Rules).toHaveLength(3);
    expect(props.LifecycleConfiguration.Rules[2]).toEqual({
      Id: 'IntelligentTiering', Status: 'Enabled', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }],
    });
  });

  test('noncurrent versions: another class and a longer expiry', () => {
    const { template } = synth({
      noncurrentVersionStorageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
      noncurrentVersionExpiration: Duration.days(180),
    });
    expect(mainBucket(template)[1].Properties.LifecycleConfiguration.Rules[1]).toEqual(expect.objectContaining({
      NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      NoncurrentVersionExpiration: { NoncurrentDays: 180 },
    }));
  });

  test('unversioned: no versioning and no noncurrent-version rule', () => {
    const { template } = synth({ versioned: false });
    const [, bucket] = only(template, 'AWS::S3::Bucket', { Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] } } });
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
    expect(bucket.Properties.LifecycleConfiguration.Rules.map((r: any) => r.Id)).toEqual(['AbortIncompleteMultipartUploads']);
  });

  test('a key of one\'s own, no bucket key, TLS 1.3, other public access and ownership settings, DESTROY', () => {
    const stack = irelandStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const { template, storage } = synth({
      encryptionKey: key,
      bucketKeyEnabled: false,
      minimumTlsVersion: 1.3,
      blockPublicAccess: new s3.BlockPublicAccess({
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false,
      }),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.DESTROY,
    }, undefined, stack);
    expect(storage.encryptionKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    const [, bucket] = mainBucket(template);
    expect(bucket.DeletionPolicy).toBe('Delete');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
      BucketKeyEnabled: false,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^MyKey/), 'Arn'] } },
    }]);
    expect(bucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(false);
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(bucketPolicyStatements(template)).toContainEqual(expect.objectContaining({ Condition: { NumericLessThan: { 's3:TlsVersion': 1.3 } } }));
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: { LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireAccessLogs' })] } } });
  });

  test('the DESTROY policy reaches the key this construct creates', () => {
    synth({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('access logs: a shorter retention, or a log bucket of one\'s own with another prefix', () => {
    const short = synth({ accessLogsRetention: Duration.days(30) }).template;
    short.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 30 }] } });

    const stack = irelandStack();
    const shared = new s3.Bucket(stack, 'SharedLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    const { template, storage } = synth({ serverAccessLogsBucket: shared, serverAccessLogsPrefix: 'supabase/' }, undefined, stack);
    expect(storage.logBucket).toBe(shared);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(mainBucket(template)[1].Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^SharedLogs/) }, LogFilePrefix: 'supabase/' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^SharedLogs') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowServerAccessLogDelivery', Principal: { Service: 'logging.s3.amazonaws.com' } })]) },
    });
  });

  test('tokens are not validated', () => {
    const stack = irelandStack();
    expect(() => synth({
      corsAllowedOrigins: [Fn.importValue('AppOrigin')],
      allowedPrincipalArns: [Fn.importValue('BackupRoleArn')],
      minimumTlsVersion: Token.asNumber(Lazy.number({ produce: () => 1.1 })),
      noncurrentVersionExpiration: Duration.days(Token.asNumber(Lazy.number({ produce: () => 10 }))),
    }, undefined, stack)).not.toThrow();
  });
});

describe('SupabaseStorage replication', () => {
  describe('to a bucket of the DR region', () => {
    const s = irelandStack();
    const { storage: st, template: t } = synth({ replication: drReplication(s) }, (_stack, x) => {
      x.grantReadWrite(new iam.Role(_stack, 'StorageApiRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    }, s);
    const roleId = only(t, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })] } } })[0];
    const drArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::supabase-dr']] };
    const drObjects = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::supabase-dr/*']] };

    test('one rule: every object, SSE-KMS objects included, delete markers too, re-encrypted with the DR key, priority 1, with replication metrics', () => {
      expect(mainBucket(t)[1].Properties.ReplicationConfiguration).toEqual({
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Rules: [{
          Id: 'DisasterRecovery',
          Status: 'Enabled',
          Priority: 1,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Enabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          // Metrics without Replication Time Control: OperationsFailedReplication here, the latency in the DR region.
          Destination: { Bucket: drArn, EncryptionConfiguration: { ReplicaKmsKeyID: DR_KEY_ARN }, Metrics: { Status: 'Enabled' } },
        }],
      });
      expect(st.replicationRole).toBeDefined();
      expect(Stack.of(st).resolve(st.replicationRole!.roleArn)).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    });

    test('the replication role, trusted by S3, has exactly the replication permissions', () => {
      expect(policyStatementsOf(t, roleId)).toEqual([
        { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: bucketArn(t) },
        {
          Effect: 'Allow',
          Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          Resource: objectsArn(t),
        },
        { Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: drObjects },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
          Condition: {
            StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn(t), objectsArn(t)] },
          },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: DR_KEY_ARN,
          Condition: {
            StringEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [drArn, drObjects] },
          },
        },
      ]);
    });

    test('the replication role and the Storage API role are the ones let through the deny', () => {
      expect(denyOthers(t).Condition).toEqual({
        StringNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': [roleId, 'Arn'] },
            { 'Fn::GetAtt': [expect.stringMatching(/^StorageApiRole/), 'Arn'] },
          ],
        },
      });
    });

    test('the replication role acknowledges exactly the IAM5 findings of the two buckets\' objects', () => {
      expect(acknowledged(st.replicationRole!)).toEqual([
        `AwsSolutions-IAM5[Resource::<${bucketId(t)}.Arn>/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::supabase-dr/*]',
      ]);
    });

    test('cdk-nag AwsSolutions reports nothing unacknowledged with replication and a grant', () => {
      expect(violations(s)).toEqual([]);
    });

    describe('what live replication does not copy', () => {
      const batchRoleId = only(t, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'batchoperations.s3.amazonaws.com' } })] } } })[0];
      const logBucketId = only(t, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.absent() } })[0];
      const logArn = { 'Fn::GetAtt': [logBucketId, 'Arn'] };
      const reports = { 'Fn::Join': ['', [logArn, '/batch-replication/*']] };
      // The template's references, as AWS would see them.
      const refs = {
        [`${bucketId(t)}.Arn`]: 'arn:aws:s3:::supabase-ireland',
        [`${logBucketId}.Arn`]: 'arn:aws:s3:::supabase-ireland-logs',
        [`${batchRoleId}.Arn`]: `arn:aws:iam::${ACCOUNT}:role/batch`,
        [`${roleId}.Arn`]: `arn:aws:iam::${ACCOUNT}:role/replication`,
      };
      const TLS = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };
      const bucketPolicy = resolve({ Statement: bucketPolicyStatements(t) }, refs);
      const logPolicy = resolve(only(t, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logBucketId } } })[1].Properties.PolicyDocument, refs);

      test('a Batch Replication role, trusted by S3 Batch Operations, with exactly the User Guide\'s permissions for a generated manifest', () => {
        expect(Stack.of(st).resolve(st.batchReplicationRole!.roleArn)).toEqual({ 'Fn::GetAtt': [batchRoleId, 'Arn'] });
        expect(policyStatementsOf(t, batchRoleId)).toEqual([
          { Effect: 'Allow', Action: 's3:InitiateReplication', Resource: objectsArn(t) },
          { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'], Resource: bucketArn(t) },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'], Resource: reports },
        ]);
        expect(acknowledged(st.batchReplicationRole!)).toEqual([
          `AwsSolutions-IAM5[Resource::<${bucketId(t)}.Arn>/*]`,
          `AwsSolutions-IAM5[Resource::<${logBucketId}.Arn>/batch-replication/*]`,
        ]);
      });

      test('the bucket policy does not deny the job what it does, while object access stays denied to it', () => {
        const ask = (action: string, resource: string) => evaluate(bucketPolicy, {
          principal: { aws: `arn:aws:iam::${ACCOUNT}:role/batch` }, action, resource, context: { ...TLS, 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/batch` },
        });
        expect(ask('s3:InitiateReplication', 'arn:aws:s3:::supabase-ireland/avatars/a.png')).not.toBe('deny');
        expect(ask('s3:GetReplicationConfiguration', 'arn:aws:s3:::supabase-ireland')).not.toBe('deny');
        expect(ask('s3:PutInventoryConfiguration', 'arn:aws:s3:::supabase-ireland')).not.toBe('deny');
        // The control: the deny-others statement still holds for this role.
        expect(ask('s3:GetObject', 'arn:aws:s3:::supabase-ireland/avatars/a.png')).toBe('deny');
        // And the replication role, which the job's replication runs as, is let through.
        expect(evaluate(bucketPolicy, {
          principal: { aws: `arn:aws:iam::${ACCOUNT}:role/replication` },
          action: 's3:GetObjectVersionForReplication',
          resource: 'arn:aws:s3:::supabase-ireland/avatars/a.png',
          context: { ...TLS, 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/replication` },
        })).not.toBe('deny');
      });

      test('a daily inventory of every version with its replication status, delivered to the log bucket under inventory/', () => {
        expect(mainBucket(t)[1].Properties.InventoryConfigurations).toEqual([{
          Id: 'ReplicationStatus',
          Enabled: true,
          IncludedObjectVersions: 'All',
          ScheduleFrequency: 'Daily',
          OptionalFields: ['ReplicationStatus', 'Size', 'LastModifiedDate'],
          Destination: { BucketArn: logArn, BucketAccountId: ACCOUNT, Format: 'CSV', Prefix: 'inventory/' },
        }]);
      });

      test('the log bucket lets S3 deliver this bucket\'s inventory, and nothing else\'s', () => {
        const deliver = (sourceArn: string, sourceAccount: string, key: string) => evaluate(logPolicy, {
          principal: { service: 's3.amazonaws.com' },
          action: 's3:PutObject',
          resource: `arn:aws:s3:::supabase-ireland-logs/${key}`,
          context: { ...TLS, 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
        });
        expect(deliver('arn:aws:s3:::supabase-ireland', ACCOUNT, 'inventory/supabase-ireland/ReplicationStatus/data/a.csv.gz')).toBe('allow');
        expect(deliver('arn:aws:s3:::another-bucket', ACCOUNT, 'inventory/another-bucket/ReplicationStatus/data/a.csv.gz')).toBe('implicit-deny');
        expect(deliver('arn:aws:s3:::supabase-ireland', '999999999999', 'inventory/x')).toBe('implicit-deny');
        expect(deliver('arn:aws:s3:::supabase-ireland', ACCOUNT, 'storage/log')).toBe('implicit-deny');
      });
    });
  });

  test('without replication, no Batch Replication role and no inventory', () => {
    const { storage: st, template: t } = synth();
    expect(st.batchReplicationRole).toBeUndefined();
    expect(mainBucket(t)[1].Properties.InventoryConfigurations).toBeUndefined();
    t.resourceCountIs('AWS::IAM::Role', 0);
  });

  test.each<[string, (s: Stack) => s3.IBucket]>([
    ['a literal ARN', (s) => s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketArn: 'arn:aws:s3:::supabase-dr', region: 'eu-central-1' })],
    ['an imported ARN', (s) => s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketArn: Fn.importValue('DrBucketArn'), region: 'eu-central-1' })],
    ['a substituted ARN', (s) => s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketArn: Fn.sub('arn:${AWS::Partition}:s3:::supabase-dr'), region: 'eu-central-1' })],
    ['a computed ARN', (s) => s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketArn: Fn.select(0, Fn.split(',', Fn.importValue('DrBucketArns'))), region: 'eu-central-1' })],
  ])('the acknowledgments match cdk-nag\'s findings for a destination with %s', (_name, destination) => {
    const s = irelandStack();
    synth({ replication: drReplication(s, destination(s)) }, undefined, s);
    expect(violations(s)).toEqual([]);
  });

  test('in an environment-agnostic stack, the regions are not compared', () => {
    const s = new Stack(new App(), 'Agnostic');
    expect(() => synth({
      replication: drReplication(s, s3.Bucket.fromBucketArn(s, 'Dr', 'arn:aws:s3:::supabase-dr')),
    }, undefined, s)).not.toThrow();
  });
});

describe('SupabaseStorage between two apps: names known before deployment', () => {
  const s = irelandStack();
  const { storage: st, template: t } = synth({
    bucketName: 'supabase-ireland-prod-111122223333-eu-west-1',
    replication: {
      destinationBucket: s3.Bucket.fromBucketAttributes(s, 'DrBucket', { bucketName: 'supabase-dr-111122223333-eu-central-1', region: 'eu-central-1' }),
      destinationKey: kms.Key.fromKeyArn(s, 'DrKey', 'arn:aws:kms:eu-central-1:111122223333:alias/supabase-dr/storage'),
      roleName: 'supabase-ireland-prod-storage-replication',
    },
  }, undefined, s);

  test('the bucket and the replication role carry the given names', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'supabase-ireland-prod-111122223333-eu-west-1' });
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'supabase-ireland-prod-storage-replication' });
  });

  test('replicas are encrypted with the key named by its alias ARN; the role may use only the keys with that alias', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: Match.objectLike({
        Rules: [Match.objectLike({
          Destination: Match.objectLike({
            Bucket: Match.anyValue(),
            EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:eu-central-1:111122223333:alias/supabase-dr/storage' },
          }),
        })],
      }),
    });
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles).includes('ReplicationRole')) as any;
    const kmsStatement = policy.Properties.PolicyDocument.Statement.find((x: any) => x.Action.includes?.('kms:Encrypt'));
    expect(kmsStatement).toMatchObject({
      Resource: 'arn:aws:kms:eu-central-1:111122223333:key/*',
      Condition: {
        'StringEquals': { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/supabase-dr/storage' },
      },
    });
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(Stack.of(st)).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.findingId ?? ''}`)).toEqual([]);
  });

  test('a bucket name S3 does not accept is an error', () => {
    expect(() => synth({ bucketName: 'Supabase_DR' })).toThrow(/`bucketName` 'Supabase_DR' is not a valid S3 bucket name/);
  });
});

describe('SupabaseStorage rejects bad input at synth time', () => {
  test.each<[string, (s: Stack) => SupabaseStorageProps, RegExp]>([
    ['a wildcard CORS origin with credentials', () => ({ corsAllowedOrigins: ['https://app.example.com', '*'], corsAllowCredentials: true }),
      /^SupabaseStorage St\/Storage: `corsAllowedOrigins\[1\]` is '\*' while `corsAllowCredentials` is true; S3 answers a wildcard origin without Access-Control-Allow-Credentials, so browsers would reject every credentialed response\. List the applications' origins instead, e\.g\. 'https:\/\/app\.example\.com'\.$/],
    ['a CORS origin without a scheme', () => ({ corsAllowedOrigins: ['app.example.com'] }),
      /^SupabaseStorage St\/Storage: `corsAllowedOrigins\[0\]` 'app\.example\.com' is not an origin; S3 expects '\*' or a scheme and host without a path, with at most one '\*'\. Use e\.g\. 'https:\/\/app\.example\.com' or 'https:\/\/\*\.example\.com'\.$/],
    ['a CORS origin with a path', () => ({ corsAllowedOrigins: ['https://app.example.com/upload'] }),
      /`corsAllowedOrigins\[0\]` 'https:\/\/app\.example\.com\/upload' is not an origin/],
    ['a CORS origin with two wildcards', () => ({ corsAllowedOrigins: ['https://*.*.example.com'] }),
      /`corsAllowedOrigins\[0\]` 'https:\/\/\*\.\*\.example\.com' is not an origin/],
    ['a noncurrent-version expiry shorter than the transition', () => ({ noncurrentVersionExpiration: Duration.days(20) }),
      /^SupabaseStorage St\/Storage: `noncurrentVersionExpiration` is 20 days, not after the move of noncurrent versions to a cheaper class at 30 days; S3 requires the expiry to come later\. Use more than 30 days, e\.g\. Duration\.days\(90\)\.$/],
    ['a noncurrent-version expiry equal to the transition', () => ({ noncurrentVersionExpiration: Duration.hours(720) }),
      /`noncurrentVersionExpiration` is 30 days, not after the move of noncurrent versions/],
    ['a noncurrent-version expiry without versioning', () => ({ versioned: false, noncurrentVersionExpiration: Duration.days(90) }),
      /^SupabaseStorage St\/Storage: `noncurrentVersionExpiration` is set but `versioned` is false, so there are no noncurrent versions\. Remove it, or keep versioning on\.$/],
    ['a noncurrent-version storage class without versioning', () => ({ versioned: false, noncurrentVersionStorageClass: s3.StorageClass.GLACIER }),
      /`noncurrentVersionStorageClass` is set but `versioned` is false/],
    ['replication to a bucket in the same region', (s) => ({ replication: drReplication(s, s3.Bucket.fromBucketAttributes(s, 'Same', { bucketName: 'supabase-copy', region: 'eu-west-1' })) }),
      /^SupabaseStorage St\/Storage: `replication\.destinationBucket` is in eu-west-1, the bucket's own region; disaster recovery needs a copy in another region\. Pass a bucket of the DR region, imported with s3\.Bucket\.fromBucketAttributes\(scope, id, \{ bucketArn, region \}\) \(fromBucketArn assumes the stack's region\)\.$/],
    ['replication to a bucket imported by ARN alone, which takes the stack\'s region', (s) => ({ replication: drReplication(s, s3.Bucket.fromBucketArn(s, 'ByArn', 'arn:aws:s3:::supabase-dr')) }),
      /`replication\.destinationBucket` is in eu-west-1, the bucket's own region/],
    ['replication without versioning', (s) => ({ versioned: false, replication: drReplication(s) }),
      /^SupabaseStorage St\/Storage: `replication` is set but `versioned` is false; S3 replicates only versioned buckets\. Keep versioning on\.$/],
    ['a minimum TLS version below 1.2', () => ({ minimumTlsVersion: 1.1 }),
      /^SupabaseStorage St\/Storage: `minimumTlsVersion` is 1\.1; the bucket admits TLS 1\.2 or newer only\. Use 1\.2 or 1\.3\.$/],
    ['an access log retention for a log bucket of one\'s own', (s) => ({ serverAccessLogsBucket: s3.Bucket.fromBucketName(s, 'Logs', 'my-logs'), accessLogsRetention: Duration.days(30) }),
      /^SupabaseStorage St\/Storage: `accessLogsRetention` is set together with `serverAccessLogsBucket`, but it applies only to the log bucket this construct creates\. Set the expiry on your log bucket, and remove `accessLogsRetention`\.$/],
    ['Transfer Acceleration on a bucket name with a dot', () => ({ transferAcceleration: true, bucketName: 'supabase.example.com' }),
      /^SupabaseStorage St\/Storage: `transferAcceleration` is true but `bucketName` 'supabase\.example\.com' contains a dot, and S3 accelerates only buckets whose names are valid DNS labels without dots\. Choose a name without dots, or leave acceleration off\.$/],
    ['an allowed principal that is not an IAM ARN', () => ({ allowedPrincipalArns: ['storage-api'] }),
      /^SupabaseStorage St\/Storage: `allowedPrincipalArns\[0\]` 'storage-api' is not the ARN of an IAM role or user \(or of an account's root user\); the bucket policy compares it with `aws:PrincipalArn` exactly, without wildcards, and that key holds a role's ARN, never a session's\. Use e\.g\. 'arn:aws:iam::111122223333:role\/backup'\.$/],
    ['an allowed principal with a wildcard', () => ({ allowedPrincipalArns: ['arn:aws:iam::111122223333:role/*'] }),
      /`allowedPrincipalArns\[0\]` 'arn:aws:iam::111122223333:role\/\*' is not the ARN of an IAM role or user/],
    ['an allowed principal that is a role session', () => ({ allowedPrincipalArns: ['arn:aws:iam::111122223333:role/a', 'arn:aws:sts::111122223333:assumed-role/a/session'] }),
      /`allowedPrincipalArns\[1\]` 'arn:aws:sts::111122223333:assumed-role\/a\/session' is not the ARN of an IAM role or user/],
  ])('%s', (_name, props, message) => {
    const stack = irelandStack();
    expect(() => synth(props(stack), undefined, stack)).toThrow(message);
  });

  test('addAllowedPrincipalArn checks its ARN too', () => {
    const { storage } = synth();
    expect(() => storage.addAllowedPrincipalArn('arn:aws:iam::111122223333:role/*')).toThrow(
      /^SupabaseStorage St\/Storage: `addAllowedPrincipalArn` 'arn:aws:iam::111122223333:role\/\*' is not the ARN of an IAM role or user/);
  });

  test('an account\'s root user may be allowed', () => {
    const { template } = synth({ allowedPrincipalArns: ['arn:aws:iam::111122223333:root'] });
    expect(denyOthers(template).Condition.StringNotEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::111122223333:root']);
  });
});
