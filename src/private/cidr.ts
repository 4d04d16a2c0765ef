/** An IPv4 CIDR block as numbers: the first address and the prefix length. */
export interface Ipv4Block {
  readonly network: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Returns an error text (why the value is not a usable CIDR block) instead of throwing,
 * so that callers can name their own prop in the message.
 */
export function parseIpv4Cidr(value: string): Ipv4Block | string {
  const match = CIDR_PATTERN.exec(value);
  if (!match) {
    return 'is not an IPv4 CIDR block of the form a.b.c.d/n';
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) {
    return 'has an octet above 255';
  }
  if (prefix > 32) {
    return 'has a prefix length above 32';
  }
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const network = address - (address % blockSize({ network: 0, prefix }));
  if (network !== address) {
    return `has host bits set (the block starts at ${formatIpv4(network)}/${prefix})`;
  }
  return { network, prefix };
}

/** Number of addresses in the block. */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefix);
}

/** True when `inner` lies wholly inside `outer`. */
export function blockContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefix >= outer.prefix && inner.network - (inner.network % blockSize(outer)) === outer.network;
}

/** True when the two blocks share at least one address. */
export function blocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return blockContains(a, b) || blockContains(b, a);
}

/** The block `offset` addresses after the start of `base`, with the given prefix length. */
export function offsetBlock(base: Ipv4Block, offset: number, prefix: number): string {
  return `${formatIpv4(base.network + offset)}/${prefix}`;
}

function formatIpv4(address: number): string {
  return [3, 2, 1, 0].map((i) => Math.floor(address / 256 ** i) % 256).join('.');
}
