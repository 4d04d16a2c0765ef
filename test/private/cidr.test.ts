import { blockContains, blocksOverlap, blockSize, offsetBlock, parseIpv4Cidr, Ipv4Block } from '../../src/private/cidr';

const block = (cidr: string) => parseIpv4Cidr(cidr) as Ipv4Block;

describe('parseIpv4Cidr', () => {
  test('parses a block', () => {
    expect(parseIpv4Cidr('10.100.0.0/16')).toEqual({ network: (10 * 2 ** 24) + (100 * 2 ** 16), prefix: 16 });
    expect(parseIpv4Cidr('255.255.255.255/32')).toEqual({ network: 2 ** 32 - 1, prefix: 32 });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ network: 0, prefix: 0 });
  });

  test.each([
    ['10.0.0.0', /not an IPv4 CIDR block/],
    ['10.0.0/16', /not an IPv4 CIDR block/],
    ['10.0.0.0/16 ', /not an IPv4 CIDR block/],
    ['fd00::/8', /not an IPv4 CIDR block/],
    ['10.0.256.0/24', /octet above 255/],
    ['10.0.0.0/33', /prefix length above 32/],
    ['10.0.1.0/16', /host bits set \(the block starts at 10\.0\.0\.0\/16\)/],
  ])('rejects %s', (value, why) => {
    expect(parseIpv4Cidr(value)).toMatch(why);
  });
});

describe('block arithmetic', () => {
  test('size', () => {
    expect(blockSize(block('10.0.0.0/24'))).toBe(256);
    expect(blockSize(block('10.0.0.0/16'))).toBe(65536);
  });

  test('containment', () => {
    expect(blockContains(block('10.100.0.0/16'), block('10.100.22.0/24'))).toBe(true);
    expect(blockContains(block('10.100.0.0/16'), block('10.100.0.0/16'))).toBe(true);
    expect(blockContains(block('10.100.0.0/16'), block('10.101.0.0/24'))).toBe(false);
    expect(blockContains(block('10.100.1.0/24'), block('10.100.0.0/16'))).toBe(false);
    expect(blockContains(block('200.0.0.0/8'), block('200.1.2.0/24'))).toBe(true);
  });

  test('overlap is symmetric and exact at the edges', () => {
    expect(blocksOverlap(block('10.0.0.0/22'), block('10.0.3.0/24'))).toBe(true);
    expect(blocksOverlap(block('10.0.3.0/24'), block('10.0.0.0/22'))).toBe(true);
    expect(blocksOverlap(block('10.0.0.0/22'), block('10.0.4.0/24'))).toBe(false);
  });

  test('offsets', () => {
    expect(offsetBlock(block('10.100.0.0/16'), 20 * 256, 24)).toBe('10.100.20.0/24');
    expect(offsetBlock(block('172.31.0.0/16'), 255 * 256, 24)).toBe('172.31.255.0/24');
  });
});
