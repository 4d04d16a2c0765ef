import { SupabaseServiceEnvironments } from './environment';
import { SupabaseImages } from './images';
import {
  SupabaseAuthSettings,
  SupabaseRestSettings,
  SupabaseScalingSettings,
  SupabaseStorageApiSettings,
  SupabaseStudioSettings,
} from './settings';

/**
 * The settings of the Supabase services on the cluster: the public URL, each service's settings, the images and
 * the scaling. `SupabaseOnAwsProps` extends it.
 */
export interface SupabaseServicesOptions {
  /**
   * The public URL of the API gateway, e.g. `https://supabase.example.com`: what clients call, what Auth writes
   * into its emails, and where Studio is served (behind basic authentication). Point the domain at the load
   * balancer (for example with ExternalDNS on the cluster, or an alias record) after the first deployment.
   */
  readonly publicUrl: string;

  /** Auth's settings: the site URL, redirect allow-list, signup and JWT settings. */
  readonly auth: SupabaseAuthSettings;

  /**
   * PostgREST's settings.
   *
   * @default - schemas public, storage and graphql_public; 1000 rows at most
   */
  readonly rest?: SupabaseRestSettings;

  /**
   * The Storage API's settings.
   *
   * @default - 50 MiB uploads, image transformation on
   */
  readonly storageApi?: SupabaseStorageApiSettings;

  /**
   * Studio's settings.
   *
   * @default - default organization and project names
   */
  readonly studio?: SupabaseStudioSettings;

  /**
   * The container images, per service.
   *
   * @default - the images of self-hosted Supabase 0.8.1
   */
  readonly images?: SupabaseImages;

  /**
   * Replicas and autoscaling, per service.
   *
   * @default - two to ten pods of each autoscaled service at 70 % CPU, two of postgres-meta, one of Studio
   */
  readonly scaling?: SupabaseScalingSettings;

  /**
   * Whether Edge Functions are deployed; they need `images.functions`.
   *
   * @default false
   */
  readonly functions?: boolean;

  /**
   * The escape hatch: further environment variables per service, for upstream settings the library has no typed
   * setting for. Plain values go into the service's Deployment; secret ones stay in Secrets Manager and reach the
   * pod through External Secrets (the Secret `supabase-<service>-env`). Replacing a variable the library sets takes
   * `override: true`.
   *
   * @default - the library's variables only
   */
  readonly environment?: SupabaseServiceEnvironments;
}
