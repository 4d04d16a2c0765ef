import { Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExtraEnv } from './extra-env';
import { ResolvedScaling } from './service';

/** Where the services' traffic goes outside the namespace, as CIDR blocks for the network policies. */
export interface ChartNetwork {
  /** The database subnets (isolated tier): the services' egress on the PostgreSQL port. */
  readonly databaseCidrs: string[];
  /** The load balancer's subnets (public tier): the ALB's traffic to Kong. */
  readonly loadBalancerCidrs: string[];
  /** The PostgreSQL port. */
  readonly databasePort: number;
  /** The cache's subnets (the EKS tier) and port, if there is a cache. */
  readonly cache?: { readonly cidrs: string[]; readonly port: number };
}

/** The signing keys and opaque API keys, when the deployment has them (`SupabaseSecrets.signingKeys`). */
export interface ChartSigningKeys {
  /** The secret API keys' names, the default one first (keys `secret-key-<name>` of the signing keys' Secret). */
  readonly secretKeyNames: string[];
}

/** What every service chart receives. */
export interface ServiceChartProps {
  readonly namespace: string;
  readonly image: string;
  readonly scaling: ResolvedScaling;
  readonly network: ChartNetwork;
  /** The user's further variables for the service (`environment.<service>`): pass them to addSupabaseService. */
  readonly extraEnv: ExtraEnv;
  /** The signing keys, if any: the services verify (Auth signs) with them, the gateway accepts the opaque keys. */
  readonly signingKeys?: ChartSigningKeys;
}

/** Every address outside the cluster's private ranges is reached on 443 through the NAT gateway or an endpoint. */
export const ANY_IPV4 = '0.0.0.0/0';

/** Reads keys of Kubernetes Secrets into env values, one reference object per Secret. */
export class SecretEnv {
  private readonly secrets = new Map<string, kplus.ISecret>();

  constructor(private readonly scope: Construct) {}

  /** The value of `key` in the Secret `name`. */
  public value(name: string, key: string): kplus.EnvValue {
    let secret = this.secrets.get(name);
    if (!secret) {
      secret = kplus.Secret.fromSecretName(this.scope, `secret-${name}`, name);
      this.secrets.set(name, secret);
    }
    return kplus.EnvValue.fromSecretValue({ secret, key });
  }
}

/**
 * The variables `keys` maps to keys of the signing keys' Secret (`supabase-signing-keys`), or none when the
 * deployment has no signing keys.
 */
export function signingKeyEnv(
  secrets: SecretEnv, signingKeys: ChartSigningKeys | undefined, keys: Record<string, string>,
): Record<string, kplus.EnvValue> {
  return signingKeys
    ? Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, secrets.value(SIGNING_KEYS_SECRET, key)]))
    : {};
}

/** The Kubernetes Secret of the signing keys (K8S_SECRETS.signingKeys in the secrets chart). */
export const SIGNING_KEYS_SECRET = 'supabase-signing-keys';

/** Plain values as env values. */
export function plainEnv(values: Record<string, string>): Record<string, kplus.EnvValue> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]));
}

/** Egress to the database subnets on the PostgreSQL port. */
export function databaseEgress(network: ChartNetwork): { peer: { cidr: string }; ports: number[] }[] {
  return network.databaseCidrs.map((cidr) => ({ peer: { cidr }, ports: [network.databasePort] }));
}

/** The Storage API's largest upload when none is set (`FILE_SIZE_LIMIT`). */
export const DEFAULT_FILE_SIZE_LIMIT = Size.mebibytes(50);

/**
 * Disk for uploads in flight, where a program spools request bodies (Kong's nginx under its prefix, the Storage
 * API's resumable-upload parts in /tmp): twice the largest upload, at least 512 MiB.
 */
export function uploadSpoolSize(fileSizeLimit: Size): cdk8s.Size {
  return cdk8s.Size.mebibytes(Math.max(512, 2 * Math.ceil(fileSizeLimit.toMebibytes({ rounding: SizeRoundingBehavior.NONE }))));
}
