import { nearest } from '../../src/private/nearest';

describe('nearest', () => {
  test('finds the candidate one or two edits away, ignoring case', () => {
    expect(nearest('work_mme', ['work_mem', 'maintenance_work_mem'])).toBe('work_mem');
    expect(nearest('vpcCIDR', ['vpcCidr', 'vpc'])).toBe('vpcCidr');
    expect(nearest('corsAllowedOrigin', ['corsAllowOrigins', 'corsAllowCredentials'])).toBe('corsAllowOrigins');
  });

  test('prefers the closest, and the first of equally close ones', () => {
    expect(nearest('abcd', ['abxy', 'abcx', 'abce'])).toBe('abcx');
  });

  test('gives nothing when no candidate is close', () => {
    expect(nearest('shared_buffers', ['work_mem', 'max_connections'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });
});
