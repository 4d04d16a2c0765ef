import { App, Duration, RemovalPolicy, Size, Stack, Token, aws_ec2 as ec2, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { nearest } from '../../src/private/nearest';
import {
  AnySpec, PropsSpec, arrayOf, checkProps, classOf, construct, describe as describeValue, enumOf, object, required, requiredOwnCheck,
} from '../../src/private/props-check';

interface Inner { readonly size: number; readonly label?: string }
interface Outer {
  readonly name: string;
  readonly count?: number;
  readonly on?: boolean;
  readonly tags?: string[];
  readonly retention?: Duration;
  readonly disk?: Size;
  readonly days?: logs.RetentionDays;
  readonly policy?: RemovalPolicy;
  readonly type?: ec2.InstanceType;
  readonly key?: kms.IKey;
  readonly inner?: Inner;
  readonly inners?: Inner[];
  readonly anything?: object;
}

const INNER: PropsSpec<Inner> = { size: required('number'), label: 'string' };
const OUTER: PropsSpec<Outer> = {
  name: required('string'),
  count: 'number',
  on: 'boolean',
  tags: 'string[]',
  retention: 'Duration',
  disk: 'Size',
  days: enumOf('logs.RetentionDays', logs.RetentionDays),
  policy: enumOf('RemovalPolicy', RemovalPolicy),
  type: classOf(ec2.InstanceType, 'ec2.InstanceType', "new ec2.InstanceType('m7g.large')"),
  key: construct('kms.IKey'),
  inner: object('Inner', INNER),
  inners: arrayOf(object('Inner', INNER)),
  anything: 'any',
};

function scope() {
  return new Stack(new App(), 'S');
}

function check(props: unknown, spec: AnySpec = OUTER) {
  const s = scope();
  checkProps(s, props, spec, 'Outer');
  return Annotations.fromStack(s).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('checkProps', () => {
  test('accepts values of the right kinds, with no warning', () => {
    const s = scope();
    const props: Outer = {
      name: 'a',
      count: 2,
      on: false,
      tags: ['x'],
      retention: Duration.days(7),
      disk: Size.gibibytes(1),
      days: logs.RetentionDays.ONE_YEAR,
      policy: RemovalPolicy.DESTROY,
      type: new ec2.InstanceType('m7g.large'),
      key: new kms.Key(s, 'Key'),
      inner: { size: 1 },
      inners: [{ size: 2, label: 'b' }],
      anything: {},
    };
    checkProps(s, props, OUTER, 'Outer');
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test.each([
    ['a string where a number belongs', { name: 'a', count: '2' }, "`count` must be a number, got the string '2'."],
    ['a string where a Duration belongs', { name: 'a', retention: '7' }, "`retention` must be a Duration (e.g. Duration.days(7)), got the string '7'."],
    ['a number where a Size belongs', { name: 'a', disk: 100 }, '`disk` must be a Size (e.g. Size.gibibytes(100)), got the number 100.'],
    ['a string where a boolean belongs', { name: 'a', on: 'false' }, "`on` must be true or false, got the string 'false'."],
    ['an array where one value belongs', { name: ['a'] }, '`name` must be a string, got a list (1 item). It takes one value, not a list.'],
    ['one string where a list belongs', { name: 'a', tags: 'x' }, "`tags` must be a list of strings, got the string 'x'. Put the value in a list: `['x']`."],
    ['a number in a list of strings', { name: 'a', tags: ['x', 3] }, '`tags[1]` must be a string, got the number 3.'],
    ['null for an optional prop', { name: 'a', count: null }, '`count` must be a number, got null. Leave the prop out'],
    ['a required prop missing', {}, '`name` is required: give a string.'],
    ['a required prop null', { name: null }, '`name` is required, got null: give a string.'],
    ['a string that is no member of an enum', { name: 'a', policy: 'delete' }, "`policy` must be one of RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, got the string 'delete'."],
    ['a numeric enum given as a string', { name: 'a', days: 'ONE_YEAR' }, 'Use `logs.RetentionDays.ONE_YEAR`.'],
    ['a string for a class', { name: 'a', type: 'm7g.large' }, "`type` must be an ec2.InstanceType (e.g. new ec2.InstanceType('m7g.large')), got the string 'm7g.large'."],
    ['a string for a construct', { name: 'a', key: 'arn:aws:kms:eu-west-1:111122223333:key/x' }, '`key` must be a kms.IKey (a construct of the app'],
    ['a wrong kind inside a nested object', { name: 'a', inner: { size: '1' } }, "`inner.size` must be a number, got the string '1'."],
    ['a required prop missing in a list of objects', { name: 'a', inners: [{ size: 1 }, {}] }, '`inners[1].size` is required: give a number.'],
    ['a string where an object belongs', { name: 'a', inner: 'big' }, "`inner` must be an Inner object (`{ ... }`), got the string 'big'."],
    ['props that are no object', 'a', "the props must be a Outer object (`{ ... }`), got the string 'a'."],
  ])('%s is an error naming the prop and the expected type', (_what, props, message) => {
    expect(() => check(props)).toThrow(message);
  });

  test('the error names the construct, in the library\'s style', () => {
    expect(() => check({ name: 1 })).toThrow(/^Stack\d* S: `name` must be a string, got the number 1\.$/);
  });

  test('an enum given by its value\'s spelling gets the constant to use', () => {
    expect(() => check({ name: 'a', policy: 'Retain' })).toThrow('Use `RemovalPolicy.RETAIN`.');
  });

  test('tokens are not checked', () => {
    expect(check({ name: Token.asString({ Ref: 'P' }), count: Token.asNumber({ Ref: 'N' }), tags: Token.asList({ Ref: 'L' }) })).toEqual([]);
  });

  test('a required prop with its own check may be missing here, but not of the wrong kind', () => {
    const spec: AnySpec = { arn: requiredOwnCheck('string') };
    expect(check({}, spec)).toEqual([]);
    expect(() => check({ arn: 1 }, spec)).toThrow('`arn` must be a string, got the number 1.');
  });

  test('undefined props are no props', () => {
    expect(check(undefined, { a: 'string' })).toEqual([]);
  });

  test('a misspelt key is a warning naming the nearest prop', () => {
    const warnings = check({ name: 'a', cuont: 1, inner: { size: 1, lable: 'x' } });
    expect(warnings).toEqual([
      expect.stringContaining('`cuont` is not a prop of Outer, so it is ignored. Did you mean `count`?'),
      expect.stringContaining('`inner.lable` is not a prop of Inner, so it is ignored. Did you mean `inner.label`?'),
    ]);
    expect(warnings[0]).toMatch(/\[ack: cdk-supabase-on-aws:unknown-prop\]$/);
  });

  test('a key far from every prop lists the props', () => {
    expect(check({ name: 'a', inner: { size: 1, colour: 'red' } })).toEqual([
      expect.stringContaining('`inner.colour` is not a prop of Inner, so it is ignored. Its props are `size`, `label`.'),
    ]);
  });

  test('no warning for the keys of an object another construct checks, nor for class instances', () => {
    const spec: AnySpec = { part: object('Part', { a: 'string' }, false), inner: object('Inner', { a: 'string' }) };
    class WithField { public readonly a = 'x'; public readonly extra = 1; }
    expect(check({ part: { b: 1 }, inner: new WithField() }, spec)).toEqual([]);
  });
});

describe('nearest', () => {
  test.each([
    ['vpcCIDR', ['vpcCidr', 'azCount'], 'vpcCidr'],
    ['corsAllowedOrigin', ['corsAllowedOrigins', 'corsAllowCredentials'], 'corsAllowedOrigins'],
    ['backupRetension', ['backupRetention', 'multiAz'], 'backupRetention'],
    ['mutliAz', ['multiAz', 'postgis'], 'multiAz'],
    ['colour', ['size', 'label'], undefined],
    ['x', [], undefined],
  ])('%s among %j is %s', (value, candidates, expected) => {
    expect(nearest(value, candidates)).toBe(expected);
  });
});

describe('describe', () => {
  test.each([
    [null, 'null'], ['7', "the string '7'"], [7, 'the number 7'], [true, 'the boolean true'], [[1, 2], 'a list (2 items)'],
    [Duration.days(1), 'the Duration 1 day'], [Size.kibibytes(1), 'the Size 1024 bytes'], [new Map(), 'a Map'], [{}, 'an object'],
  ])('%p is %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
