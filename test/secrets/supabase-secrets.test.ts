import { App, Duration, RemovalPolicy, Stack, Validations, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseSecrets, SupabaseSecretsProps } from '../../src';

function synth(props: SupabaseSecretsProps = {}, configure?: (stack: Stack, secrets: SupabaseSecrets) => void) {
  const stack = new Stack(new App(), 'Sb', { env: { account: '111122223333', region: 'eu-west-1' } });
  const secrets = new SupabaseSecrets(stack, 'Secrets', props);
  configure?.(stack, secrets);
  return { stack, secrets, template: Template.fromStack(stack) };
}

const GENERATED = [
  ['JwtSecret', 'jwt', 'jwtSecret', 64],
  ['RealtimeSecretKeyBase', 'realtime-secret-key-base', 'secretKeyBase', 64],
  ['RealtimeDbEncKey', 'realtime-db-enc-key', 'dbEncKey', 16],
  ['MetaCryptoKey', 'meta-crypto-key', 'cryptoKey', 32],
  ['Dashboard', 'dashboard', 'password', 32],
  ['ApiKeys', 'api-keys', 'placeholder', 16],
] as const;

const KEY_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] };

describe('SupabaseSecrets defaults', () => {
  const { stack, template } = synth();

  test('a retained, rotating, multi-Region KMS key with an alias', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true, MultiRegion: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/supabase/Sb/Secrets' });
  });

  test('the signing function\'s log group is kept a year and retained like the secrets', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
  });

  test.each(GENERATED)('%s: named under the prefix, generated in AWS, encrypted with the key, retained', (id, name, field, length) => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: `supabase/Sb/Secrets/${name}`,
        KmsKeyId: KEY_ARN,
        GenerateSecretString: Match.objectLike({ GenerateStringKey: field, PasswordLength: length, ExcludePunctuation: true }),
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `supabase/Sb/Secrets/${name}` });
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toContainEqual(expect.stringMatching(new RegExp(`^Secrets${id}[0-9A-F]{8}$`)));
  });

  test('six secrets, no replicas, and the dashboard user name in the template', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 6);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'supabase/Sb/Secrets/dashboard',
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"supabase"}' }),
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('ReplicaRegions');
  });

  test('the signing function: newest Node.js runtime, its own log group with a retention, no VPC needed', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('ApiKeysLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the signing role may read the JWT secret, read and write the keys secret and use the key through Secrets Manager, nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/ApiKeysLogs/), 'Arn'] } },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^SecretsJwtSecret/) } },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: expect.stringMatching(/^SecretsApiKeys/) } },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
    // No AWS managed policy on the role.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('the custom resource gets the secrets\' ARNs and the claims, never a value, and waits for the role\'s policy', () => {
    const resources = template.findResources('Custom::SupabaseApiKeys');
    const [signing] = Object.values(resources);
    expect(signing.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/ApiKeysFunction/), 'Arn'] },
      JwtSecretArn: { Ref: expect.stringMatching(/^SecretsJwtSecret/) },
      ApiKeysSecretArn: { Ref: expect.stringMatching(/^SecretsApiKeys/) },
      Issuer: 'supabase',
      LifetimeSeconds: String(5 * 365 * 86400),
    });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn.DependsOn).toContainEqual(expect.stringMatching(/ApiKeysRoleDefaultPolicy/));
    expect(signing.DeletionPolicy).toBe('Delete');
  });

  test.each([
    ['the defaults', template],
    ['every option that generates something', synth({ samlSigningKey: true, replicaRegions: [{ region: 'eu-central-1' }] }).template],
  ])('nothing shaped like a JWT or a private key, and no literal secret value, anywhere in the template (%s)', (_name, scanned) => {
    const json = JSON.stringify(scanned.toJSON());
    expect(json).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/);
    // A PEM block, or the base64 of a DER key (an ASN.1 SEQUENCE of two length bytes: "MII...").
    expect(json).not.toMatch(/-----BEGIN|MII[A-Za-z0-9+/]{40,}/);
    expect(json).not.toMatch(/"SecretString"/);
    for (const [, body] of Object.entries(scanned.findResources('AWS::SecretsManager::Secret'))) {
      expect(body.Properties.GenerateSecretString).toBeDefined();
    }
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('SupabaseSecrets options', () => {
  test('replicas in the DR region, with and without a key of that region', () => {
    const drKey = kms.Key.fromKeyArn(new Stack(new App(), 'Other'), 'DrKey', 'arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab');
    const withKey = synth({ replicaRegions: [{ region: 'eu-central-1', encryptionKey: drKey }] }).template;
    withKey.resourcePropertiesCountIs('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'eu-central-1', KmsKeyId: 'arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab' }],
    }, 6);
    const withoutKey = synth({ replicaRegions: [{ region: 'eu-central-1' }] }).template;
    withoutKey.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'eu-central-1' }] }, 6);
  });

  test('prefix, JWT length, lifetime, dashboard user, removal policy and a key of one\'s own', () => {
    const { template, secrets } = synth({
      secretNamePrefix: 'supabase/prod/',
      jwtSecretLength: 40,
      apiKeyLifetime: Duration.days(365),
      dashboardUsername: 'ops',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: { Name: 'supabase/prod/jwt', GenerateSecretString: Match.objectLike({ PasswordLength: 40 }) },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"ops"}' }),
    });
    template.hasResourceProperties('Custom::SupabaseApiKeys', { LifetimeSeconds: String(365 * 86400) });
    expect(secrets.secretNamePrefix).toBe('supabase/prod');

    const stack = new Stack(new App(), 'Own', { env: { region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Mine');
    const own = new SupabaseSecrets(stack, 'Secrets', { encryptionKey: key });
    const ownTemplate = Template.fromStack(stack);
    ownTemplate.resourceCountIs('AWS::KMS::Key', 1);
    ownTemplate.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } }, 6);
    expect(own.encryptionKey).toBe(key);
  });

  test('grantRead: exactly the six secrets and the SMTP password, decrypt only through Secrets Manager', () => {
    const { template } = synth({
      smtp: {
        host: 'email-smtp.eu-west-1.amazonaws.com',
        user: 'AKIAEXAMPLE',
        adminEmail: 'admin@example.com',
        password: secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'Smtp', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ses-smtp-AbCdEf'),
      },
    }, (stack, secrets) => {
      const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      secrets.grantRead(role);
    });
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes('EsoRole'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: expect.arrayContaining(GENERATED.map(([id]) => ({ Ref: expect.stringMatching(new RegExp(`^Secrets${id}[0-9A-F]{8}$`)) }))),
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ses-smtp-AbCdEf',
      },
    ]);
    expect(statements[0].Resource).toHaveLength(6);
  });
});

describe('SupabaseSecrets in a disaster-recovery region (primaryRegion)', () => {
  const stack = new Stack(new App(), 'Dr', { env: { account: '111122223333', region: 'eu-central-1' } });
  const secrets = new SupabaseSecrets(stack, 'Secrets', { secretNamePrefix: 'supabase/ireland-prod', primaryRegion: 'eu-west-1' });
  const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  secrets.grantRead(role);
  const template = Template.fromStack(stack);

  test('creates no secret, no signing function: the members are the replicas, by the primary\'s names', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::SupabaseApiKeys', 0);
    expect(secrets.primaryRegion).toBe('eu-west-1');
    expect(secrets.jwtSecret.secretName).toBe('supabase/ireland-prod/jwt');
    expect(stack.resolve(secrets.apiKeys.secretArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-central-1:111122223333:secret:supabase/ireland-prod/api-keys']],
    });
  });

  test('acknowledges no rotation finding: the replicas are imported by name, there is no secret resource to judge', () => {
    const acknowledged = secrets.node.findAll().flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.keys(m.data));
    expect(acknowledged.filter((id) => id.includes('AwsSolutions-SMG4'))).toEqual([]);
  });

  test('a key of this region, single-Region, under the alias the primary names in replicaRegions', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, MultiRegion: Match.absent() }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/supabase/ireland-prod' });
  });

  test('grantRead: the six replicas (any version suffix) and decrypt with this region\'s key through Secrets Manager', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: expect.arrayContaining(GENERATED.map(([, name]) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-central-1:111122223333:secret:supabase/ireland-prod/${name}-??????`]],
        }))),
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } },
      },
    ]);
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toHaveLength(6);
  });

  test('cdk-nag AwsSolutions finds nothing', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test.each<[string, SupabaseSecretsProps, RegExp]>([
    ['no prefix', { primaryRegion: 'eu-west-1' }, /`primaryRegion` is set without `secretNamePrefix`\. The replicas carry the primary secrets' names/],
    ['its own region', { primaryRegion: 'eu-central-1', secretNamePrefix: 'p' }, /`primaryRegion` is 'eu-central-1', this stack's own region/],
    ['not a region', { primaryRegion: 'ireland', secretNamePrefix: 'p' }, /`primaryRegion` is 'ireland', which is not an AWS region\. Did you mean 'eu-west-1'\?/],
    ['replicas of replicas', { primaryRegion: 'eu-west-1', secretNamePrefix: 'p', replicaRegions: [{ region: 'us-east-1' }] },
      /`replicaRegions` is set together with `primaryRegion`\. The replicas are copies of the primary's secrets: set `replicaRegions` on the SupabaseSecrets in eu-west-1/],
    ['a JWT length', { primaryRegion: 'eu-west-1', secretNamePrefix: 'p', jwtSecretLength: 64 }, /`jwtSecretLength` is set together with `primaryRegion`/],
    ['a dashboard user', { primaryRegion: 'eu-west-1', secretNamePrefix: 'p', dashboardUsername: 'ops' }, /`dashboardUsername` is set together with `primaryRegion`/],
  ])('rejects %s', (_name, props, message) => {
    const dr = new Stack(new App(), 'Dr', { env: { account: '111122223333', region: 'eu-central-1' } });
    expect(() => new SupabaseSecrets(dr, 'Secrets', props)).toThrow(message);
  });
});

describe('SupabaseSecrets with an SES SMTP credential made in its region (sesSmtp)', () => {
  const build = (stackRegion: string, props: SupabaseSecretsProps) => {
    const stack = new Stack(new App(), 'Site', { env: { account: '111122223333', region: stackRegion } });
    const secrets = new SupabaseSecrets(stack, 'Secrets', props);
    const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    secrets.grantRead(role);
    return { stack, secrets, template: Template.fromStack(stack) };
  };
  const dr = build('eu-central-1', { secretNamePrefix: 'supabase/ireland-prod', primaryRegion: 'eu-west-1', sesSmtp: { adminEmail: 'no-reply@example.com', senderName: 'Example' } });

  test('the SMTP settings: SES of this region on 587, the credential\'s user name, its secret\'s password field', () => {
    const smtp = dr.secrets.smtp!;
    expect(smtp).toMatchObject({ host: 'email-smtp.eu-central-1.amazonaws.com', port: 587, passwordField: 'password', adminEmail: 'no-reply@example.com', senderName: 'Example' });
    expect(dr.stack.resolve(smtp.user)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SecretsSesSmtp/), 'Username'] });
  });

  test('a secret of this region only (never replicated), encrypted with the secrets\' key', () => {
    dr.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'supabase/ireland-prod/ses-smtp/eu-central-1',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
      ReplicaRegions: Match.absent(),
    });
  });

  test('the IAM user may send only from the sender address, through SES of this region', () => {
    const policy = Object.values(dr.template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Users ?? []).includes('SesSmtpUser')) as any;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'ses:SendRawEmail',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-central-1:111122223333:identity/example.com']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-central-1:111122223333:identity/no-reply@example.com']] },
      ],
      Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } },
    }]);
  });

  test('the custom resource makes the key for that user and writes only into that secret', () => {
    const resource = Object.values(dr.template.findResources('Custom::SupabaseSesSmtpCredential'))[0] as any;
    expect(resource.Properties).toMatchObject({
      UserName: { Ref: expect.stringMatching(/^SecretsSesSmtpUser/) },
      SecretArn: { Ref: expect.stringMatching(/^SecretsSesSmtpSecret/) },
      Region: 'eu-central-1',
    });
    const role = Object.values(dr.template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes('SesSmtpRole')) as any;
    const actions = role.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream',
      'logs:PutLogEvents', 'secretsmanager:PutSecretValue'].sort());
  });

  test('External Secrets may read the credential\'s secret', () => {
    const policy = Object.values(dr.template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes('EsoRole')) as any;
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement)).toMatch(/SecretsSesSmtpSecret/);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(dr.stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });

  test.each<[string, SupabaseSecretsProps, RegExp]>([
    ['both smtp and sesSmtp', { sesSmtp: { adminEmail: 'a@example.com' }, smtp: { host: 'h', user: 'u', adminEmail: 'a@example.com', password: secretsmanager.Secret.fromSecretNameV2(new Stack(), 'S', 's') } },
      /`smtp` and `sesSmtp` are both set/],
    ['a sender that is no address', { sesSmtp: { adminEmail: 'no-reply' } }, /`sesSmtp.adminEmail` is not an email address, got 'no-reply'/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build('eu-west-1', props)).toThrow(message);
  });

  test('rejects a stack without a region', () => {
    expect(() => new SupabaseSecrets(new Stack(new App(), 'Agnostic'), 'Secrets', { sesSmtp: { adminEmail: 'a@example.com' } }))
      .toThrow(/`sesSmtp` needs the stack's region/);
  });
});

describe('SupabaseSecrets rejects bad input at synth time', () => {
  const smtpSecret = () => secretsmanager.Secret.fromSecretNameV2(new Stack(), 'S', 'smtp');
  test.each<[string, SupabaseSecretsProps, RegExp]>([
    ['a JWT secret shorter than 32', { jwtSecretLength: 31 }, /`jwtSecretLength` is 31; Supabase needs a JWT secret of at least 32 characters.*Use 64, the default/],
    ['a JWT secret longer than Secrets Manager generates', { jwtSecretLength: 5000 }, /`jwtSecretLength` is 5000/],
    ['an API key lifetime of zero', { apiKeyLifetime: Duration.seconds(0) }, /`apiKeyLifetime` is 0 seconds; the API keys would be expired when signed\. Use a positive duration/],
    ['an invalid region name', { replicaRegions: [{ region: 'frankfurt' }] }, /`replicaRegions\[0\]\.region` is 'frankfurt', which is not an AWS region\. Did you mean 'eu-central-1'\?/],
    ['the stack\'s own region', { replicaRegions: [{ region: 'eu-west-1' }] }, /`replicaRegions\[0\]\.region` is 'eu-west-1', the stack's own region; a secret cannot be replicated to its own region/],
    ['a region listed twice', { replicaRegions: [{ region: 'eu-central-1' }, { region: 'eu-central-1' }] }, /`replicaRegions` lists 'eu-central-1' twice/],
    ['SMTP settings without a password secret', { smtp: { host: 'smtp.example.com', user: 'u', adminEmail: 'a@example.com' } as any },
      /`smtp` is set without `smtp\.password`\. Pass the secret that holds the SMTP password/],
    ['an SMTP port that is not a port', { smtp: { host: 'smtp.example.com', user: 'u', adminEmail: 'a@example.com', port: 70000, password: smtpSecret() } },
      /`smtp\.port` is 70000, which is not a TCP port\. Use 587/],
    ['a prefix with characters a secret name cannot hold', { secretNamePrefix: 'supabase prod' }, /`secretNamePrefix` 'supabase prod' is not usable in a secret name/],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('every message names the construct', () => {
    expect(() => synth({ jwtSecretLength: 8 })).toThrow(/^SupabaseSecrets Sb\/Secrets: /);
  });
});
