import { App, Duration, RemovalPolicy, Stack, Validations, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SigningKeysGeneration, SigningKeysGenerationProps } from '../../src/secrets/private/signing-keys';

function synth(props: Partial<SigningKeysGenerationProps> = {}) {
  const stack = new Stack(new App(), 'Sb', { env: { account: '111122223333', region: 'eu-west-1' } });
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const secret = (id: string) => {
    const s = new secretsmanager.Secret(stack, id, { encryptionKey, generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' } });
    Validations.of(s).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A test fixture standing in for the secrets of SupabaseSecrets, which acknowledge this finding each with its reason.' });
    return s;
  };
  const keys = secret('SigningKeysSecret');
  const jwt = secret('JwtSecret');
  new SigningKeysGeneration(stack, 'SigningKeys', {
    secret: keys,
    jwtSecret: jwt,
    encryptionKey,
    inUse: 'key-1',
    standby: [],
    previouslyUsed: [],
    secretApiKeys: ['default'],
    legacyApiKeys: true,
    issuer: 'supabase',
    lifetime: Duration.days(1825),
    removalPolicy: RemovalPolicy.RETAIN,
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

const KEYS = { Ref: expect.stringMatching(/^SigningKeysSecret[0-9A-F]{8}$/) };
const JWT = { Ref: expect.stringMatching(/^JwtSecret[0-9A-F]{8}$/) };

function statementsOf(template: Template, role: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(role));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

describe('SigningKeysGeneration', () => {
  const { stack, template } = synth({ standby: ['key-2'], previouslyUsed: ['key-0'], secretApiKeys: ['default', 'billing'] });

  test('the custom resource gets the key states, the API key names and the claims, and no key', () => {
    const [resource] = Object.values(template.findResources('Custom::SupabaseSigningKeys'));
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^SigningKeysFunction/), 'Arn'] },
      JwtSecretArn: JWT,
      SigningKeysSecretArn: KEYS,
      InUse: 'key-1',
      Standby: ['key-2'],
      PreviouslyUsed: ['key-0'],
      SecretApiKeys: ['default', 'billing'],
      LegacyKeys: 'true',
      Issuer: 'supabase',
      LifetimeSeconds: String(1825 * 86400),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}|sb_(publishable|secret)_|"d":|"SecretString"/);
  });

  test('the function: the bundled handler, its own log group, waiting for its policy', () => {
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SigningKeysFunction'))![1];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 60, LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^SigningKeysLogs/) } } });
    expect(fn.DependsOn).toContainEqual(expect.stringMatching(/^SigningKeysRoleDefaultPolicy/));
  });

  test('its role reads the JWT secret, reads and writes the keys secret, and uses the key only through Secrets Manager', () => {
    expect(statementsOf(template, 'SigningKeysRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SigningKeysLogs/), 'Arn'] } },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: KEYS },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: JWT },
    ]);
  });

  test('legacy keys off reaches the function as a property', () => {
    const [resource] = Object.values(synth({ legacyApiKeys: false }).template.findResources('Custom::SupabaseSigningKeys'));
    expect(resource.Properties.LegacyKeys).toBe('false');
  });

  test('cdk-nag AwsSolutions finds nothing', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
