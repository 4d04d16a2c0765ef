import { App, RemovalPolicy, Stack, Validations, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseSecrets, SupabaseSecretsProps } from '../../src';

function synth(props: SupabaseSecretsProps, region = 'eu-west-1') {
  const stack = new Stack(new App(), 'Sb', { env: { account: '111122223333', region } });
  const secrets = new SupabaseSecrets(stack, 'Secrets', props);
  const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  secrets.grantRead(role);
  return { stack, secrets, template: Template.fromStack(stack) };
}

/** The statements of the policy attached to the role whose logical id contains `role`. */
function statementsOf(template: Template, role: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

const SAML_SECRET = { Ref: expect.stringMatching(/^SecretsSamlSigningKey[0-9A-F]{8}$/) };

describe('SupabaseSecrets without samlSigningKey (the default)', () => {
  const { secrets, template } = synth({});

  test('no SAML secret, no key generation', () => {
    expect(secrets.samlSigningKey).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/saml/i);
    template.resourceCountIs('Custom::SupabaseSamlKey', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });
});

describe('SupabaseSecrets with samlSigningKey', () => {
  const { stack, secrets, template } = synth({ samlSigningKey: true, replicaRegions: [{ region: 'eu-central-1' }] });

  test('the secret: named under the prefix, encrypted with the secrets\' key, replicated, retained, a random placeholder', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: 'supabase/Sb/Secrets/saml-signing-key',
        Description: Match.stringLikeRegexp('SAML signing key'),
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
        ReplicaRegions: [{ Region: 'eu-central-1' }],
        GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'placeholder', PasswordLength: 16, ExcludePunctuation: true },
      },
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 7);
    expect(stack.resolve(secrets.samlSigningKey!.secretArn)).toEqual(SAML_SECRET);
  });

  test('is among the replicated secrets and what grantRead covers', () => {
    expect(secrets.replicatedSecrets).toContain(secrets.samlSigningKey);
    expect(secrets.replicatedSecrets).toHaveLength(7);
    const [read] = statementsOf(template, 'EsoRole');
    expect(read.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(read.Resource).toHaveLength(7);
    expect(read.Resource).toContainEqual(SAML_SECRET);
  });

  test('a custom resource of its own, given only the secret\'s ARN', () => {
    const resources = Object.values(template.findResources('Custom::SupabaseSamlKey'));
    expect(resources).toHaveLength(1);
    expect(resources[0].Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsSamlKeyFunction/), 'Arn'] },
      SecretArn: SAML_SECRET,
    });
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SecretsSamlKeyFunction'))![1];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 60, LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^SecretsSamlKeyLogs/) } } });
    expect(fn.DependsOn).toContainEqual(expect.stringMatching(/^SecretsSamlKeyRoleDefaultPolicy/));
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
  });

  test('its role may read and write that secret only, and use the key only through Secrets Manager', () => {
    expect(statementsOf(template, 'SecretsSamlKeyRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsSamlKeyLogs/), 'Arn'] } },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: SAML_SECRET },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('SecretsSamlKeyRole'))![1];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    // The API keys' signing role gains nothing on the SAML secret.
    expect(JSON.stringify(statementsOf(template, 'SecretsApiKeysRole'))).not.toContain('SamlSigningKey');
  });

  test('no key material in the template: only the placeholder generator', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/PRIVATE KEY|MII[A-Za-z0-9+/]{20,}|"SecretString"|privateKey/);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged, and the rotation finding is acknowledged with its own reason', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    const acknowledgments = secrets.samlSigningKey!.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) => entry.data);
    expect(JSON.stringify(acknowledgments)).toMatch(/AwsSolutions-SMG4.*identity provider trusts the certificate Auth derives from this key/);
  });

  test('removal policy like the other secrets', () => {
    const destroy = synth({ samlSigningKey: true, removalPolicy: RemovalPolicy.DESTROY }).template;
    destroy.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete', Properties: { Name: 'supabase/Sb/Secrets/saml-signing-key' } });
    const logs = Object.entries(destroy.findResources('AWS::Logs::LogGroup')).find(([id]) => id.startsWith('SecretsSamlKeyLogs'))![1];
    expect(logs.DeletionPolicy).toBe('Delete');
  });
});

describe('SupabaseSecrets with samlSigningKey in a disaster-recovery region (primaryRegion)', () => {
  const { stack, secrets, template } = synth({ samlSigningKey: true, primaryRegion: 'eu-west-1', secretNamePrefix: 'supabase/ireland-prod' }, 'eu-central-1');

  test('the replica by the primary\'s name; no secret, no custom resource, no function', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('Custom::SupabaseSamlKey', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(secrets.samlSigningKey!.secretName).toBe('supabase/ireland-prod/saml-signing-key');
    expect(stack.resolve(secrets.samlSigningKey!.secretArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-central-1:111122223333:secret:supabase/ireland-prod/saml-signing-key']],
    });
  });

  test('grantRead covers the replica (any version suffix)', () => {
    const [read] = statementsOf(template, 'EsoRole');
    expect(read.Resource).toHaveLength(7);
    expect(read.Resource).toContainEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-central-1:111122223333:secret:supabase/ireland-prod/saml-signing-key-??????']],
    });
  });

  test('cdk-nag AwsSolutions finds nothing', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
