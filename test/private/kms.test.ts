import { App, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { createKey } from '../../src/private/kms';

/** The alias createKey gives a key made under `path` (construct ids below the stack) in `stack`. */
function aliasOf(stack: Stack, ...path: string[]): string {
  let scope: Construct = stack;
  for (const id of path) scope = new Construct(scope, id);
  createKey(scope, 'Key', { description: 'test', purpose: 'data', removalPolicy: RemovalPolicy.RETAIN });
  const aliases = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Alias'));
  expect(aliases).toHaveLength(1);
  return (aliases[0] as any).Properties.AliasName;
}

describe('createKey: the library\'s one alias scheme, alias/<stack name>/<path inside the stack>/<purpose>', () => {
  test('a construct in a stack', () => {
    expect(aliasOf(new Stack(new App(), 'Core'), 'Database')).toBe('alias/Core/Database/data');
  });

  test('the stack\'s name, not its id, so two deployments of one app with other stack names do not collide', () => {
    expect(aliasOf(new Stack(new App(), 'Core', { stackName: 'team-a-core' }), 'Database')).toBe('alias/team-a-core/Database/data');
    expect(aliasOf(new Stack(new App(), 'Core', { stackName: 'team-b-core' }), 'Database')).toBe('alias/team-b-core/Database/data');
  });

  test('a stack in a stage: the stage is in the stack name, once', () => {
    const stage = new Stage(new App(), 'Prod');
    expect(aliasOf(new Stack(stage, 'Core'), 'Supabase', 'Database')).toBe('alias/Prod-Core/Supabase/Database/data');
  });

  test('characters KMS does not take in an alias become "-"', () => {
    expect(aliasOf(new Stack(new App(), 'Core'), 'My Database.v2')).toBe('alias/Core/My-Database-v2/data');
  });

  test('the key rotates yearly and keeps the removal policy it is given', () => {
    const stack = new Stack(new App(), 'Core');
    createKey(stack, 'Key', { description: 'Encrypts things', purpose: 'data', removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { Description: 'Encrypts things', EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});
