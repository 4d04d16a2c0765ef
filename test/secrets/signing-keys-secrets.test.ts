import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseSecrets, SupabaseSecretsProps } from '../../src';

function synth(props: SupabaseSecretsProps, region = 'eu-west-1') {
  const stack = new Stack(new App(), 'Sb', { env: { account: '111122223333', region } });
  const secrets = new SupabaseSecrets(stack, 'Secrets', props);
  const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  secrets.grantRead(role);
  return { stack, secrets, template: Template.fromStack(stack) };
}

const KEYS_SECRET = { Ref: expect.stringMatching(/^SecretsSigningKeys[0-9A-F]{8}$/) };

describe('SupabaseSecrets with signingKeys', () => {
  const { stack, secrets, template } = synth({ signingKeys: { standby: ['key-2'], secretApiKeys: ['default', 'billing'] }, replicaRegions: [{ region: 'eu-central-1' }] });

  test('the secret: named under the prefix, under the secrets\' key, replicated, retained, a placeholder until the keys are written', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'supabase/Sb/Secrets/signing-keys',
        KmsKeyId: { 'Fn::GetAtt': ['SecretsKey9BF95D68', 'Arn'] },
        ReplicaRegions: [{ Region: 'eu-central-1' }],
        GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'placeholder', PasswordLength: 16, ExcludePunctuation: true },
      },
    });
    expect(stack.resolve(secrets.signingKeys!.secretArn)).toEqual(KEYS_SECRET);
    expect(secrets.replicatedSecrets).toContain(secrets.signingKeys);
    expect(secrets.secretApiKeyNames).toEqual(['default', 'billing']);
  });

  test('the custom resource gets the defaults filled in, with the legacy keys on and the API keys\' lifetime', () => {
    const [resource] = Object.values(template.findResources('Custom::SupabaseSigningKeys'));
    expect(resource.Properties).toMatchObject({
      SigningKeysSecretArn: KEYS_SECRET,
      JwtSecretArn: { Ref: expect.stringMatching(/^SecretsJwtSecret/) },
      InUse: 'key-1',
      Standby: ['key-2'],
      PreviouslyUsed: [],
      SecretApiKeys: ['default', 'billing'],
      LegacyKeys: 'true',
      Issuer: 'supabase',
      LifetimeSeconds: String(1825 * 86400),
    });
  });

  test('the External Secrets role may read it', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('EsoRole'))!;
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toContainEqual(KEYS_SECRET);
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('SupabaseSecrets with signingKeys in a disaster-recovery region', () => {
  const { secrets, template } = synth({ signingKeys: {}, primaryRegion: 'eu-west-1', secretNamePrefix: 'supabase/ireland-prod' }, 'eu-central-1');

  test('the primary\'s replica by name, the key names known, nothing generated here', () => {
    expect(secrets.signingKeys!.secretName).toBe('supabase/ireland-prod/signing-keys');
    expect(secrets.secretApiKeyNames).toEqual(['default']);
    template.resourceCountIs('Custom::SupabaseSigningKeys', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });
});

describe('signingKeys mistakes are errors at synth time', () => {
  test.each<[string, SupabaseSecretsProps['signingKeys'], string]>([
    ['a label in two states', { inUse: 'key-2', previouslyUsed: ['key-2'] }, "`signingKeys.previouslyUsed[0]` repeats 'key-2', already in `signingKeys.inUse`"],
    ['an upper-case label', { inUse: 'Key-1' }, "`signingKeys.inUse` is 'Key-1', which is not a key label"],
    ['no secret API key', { secretApiKeys: [] }, '`signingKeys.secretApiKeys` is empty'],
    ['a name with a dash', { secretApiKeys: ['billing-worker'] }, "`signingKeys.secretApiKeys[0]` is 'billing-worker', which is not a secret API key name"],
    ['a name twice', { secretApiKeys: ['a', 'a'] }, "`signingKeys.secretApiKeys[1]` repeats 'a'"],
    ['default not first', { secretApiKeys: ['billing', 'default'] }, "`signingKeys.secretApiKeys[1]` is 'default', but the first secret API key is the default one"],
  ])('%s', (_name, signingKeys, message) => {
    expect(() => synth({ signingKeys })).toThrow(`SupabaseSecrets Sb/Secrets: ${message}`);
  });
});
