import { RemovalPolicy, aws_eks_v2 as eks, aws_logs as logs, aws_rds as rds, aws_s3 as s3 } from 'aws-cdk-lib';
import { classConstantHint, enumHint } from '../../src/private/enums';
import { SupabaseCacheEngine } from '../../src/supabase/cache/cache-settings';

describe('enumHint', () => {
  test('names the member a string stands for, by name or by value, ignoring case', () => {
    expect(enumHint('eks.CapacityType', eks.CapacityType, 'spot')).toBe(' Use `eks.CapacityType.SPOT`.');
    expect(enumHint('eks.CapacityType', eks.CapacityType, 'on-demand')).toBe(' Use `eks.CapacityType.ON_DEMAND`.');
    expect(enumHint('RemovalPolicy', RemovalPolicy, 'Retain')).toBe(' Use `RemovalPolicy.RETAIN`.');
    expect(enumHint('logs.RetentionDays', logs.RetentionDays, '30')).toBe(' Use `logs.RetentionDays.ONE_MONTH`.');
  });

  test('gives the accepted day counts on either side of a retention CloudWatch Logs does not take', () => {
    expect(enumHint('logs.RetentionDays', logs.RetentionDays, 45))
      .toBe(' It takes only the listed values; the nearest are `logs.RetentionDays.ONE_MONTH` (30) and `logs.RetentionDays.TWO_MONTHS` (60).');
    expect(enumHint('logs.RetentionDays', logs.RetentionDays, '400.5')).toContain('`logs.RetentionDays.THIRTEEN_MONTHS` (400) and `logs.RetentionDays.EIGHTEEN_MONTHS` (545)');
    expect(enumHint('logs.RetentionDays', logs.RetentionDays, -3)).toBe(' It takes only the listed values; the nearest are `logs.RetentionDays.ONE_DAY` (1).');
    expect(enumHint('logs.RetentionDays', logs.RetentionDays, 10000)).toBe(' It takes only the listed values; the nearest are `logs.RetentionDays.INFINITE` (9999).');
  });

  test('suggests the nearest name for a misspelling, and nothing for what is not close', () => {
    expect(enumHint('eks.NodegroupAmiType', eks.NodegroupAmiType, 'AL2023_ARM64_STANDARD')).toBe(' Did you mean `eks.NodegroupAmiType.AL2023_ARM_64_STANDARD`?');
    expect(enumHint('eks.CapacityType', eks.CapacityType, 'cheap')).toBe('');
    expect(enumHint('eks.CapacityType', eks.CapacityType, 3)).toBe('');
    expect(enumHint('RemovalPolicy', RemovalPolicy, true)).toBe('');
  });
});

describe('classConstantHint', () => {
  test('names the constant whose name is the string, begins with it, or holds it', () => {
    expect(classConstantHint('s3.StorageClass', s3.StorageClass, 'glacier-instant-retrieval')).toBe(' Use `s3.StorageClass.GLACIER_INSTANT_RETRIEVAL`.');
    expect(classConstantHint('s3.StorageClass', s3.StorageClass, 'GLACIER_IR')).toBe(' Use `s3.StorageClass.GLACIER_INSTANT_RETRIEVAL`.');
    expect(classConstantHint('SupabaseCacheEngine', SupabaseCacheEngine, 'valkey')).toBe(' Use `SupabaseCacheEngine.VALKEY_8_0`.');
    expect(classConstantHint('SupabaseCacheEngine', SupabaseCacheEngine, 'redis')).toBe(' Use `SupabaseCacheEngine.REDIS_OSS_7_1`.');
    expect(classConstantHint('rds.PostgresEngineVersion', rds.PostgresEngineVersion, '17.6')).toBe(' Use `rds.PostgresEngineVersion.VER_17_6`.');
  });

  test('gives nothing for what matches no constant, or is no string', () => {
    expect(classConstantHint('SupabaseCacheEngine', SupabaseCacheEngine, 'memcached')).toBe('');
    expect(classConstantHint('SupabaseCacheEngine', SupabaseCacheEngine, '')).toBe('');
    expect(classConstantHint('SupabaseCacheEngine', SupabaseCacheEngine, 8)).toBe('');
  });
});
