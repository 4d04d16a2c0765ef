/**
 * The container images of the Supabase services, each a full reference with a pinned tag (`repository:tag`) or a
 * digest (`repository@sha256:...`). Override one to upgrade a service on your own schedule, or to pull it from a
 * mirror such as an ECR pull-through cache.
 *
 * The defaults are the images of self-hosted Supabase 0.8.1 (September 2026).
 */
export interface SupabaseImages {
  /**
   * The API gateway, Kong (DB-less).
   *
   * @default 'kong/kong:3.9.3'
   */
  readonly kong?: string;

  /**
   * Auth (GoTrue).
   *
   * @default 'supabase/gotrue:v2.196.0'
   */
  readonly auth?: string;

  /**
   * REST (PostgREST).
   *
   * @default 'postgrest/postgrest:v14.17'
   */
  readonly rest?: string;

  /**
   * Realtime.
   *
   * @default 'supabase/realtime:v2.134.10'
   */
  readonly realtime?: string;

  /**
   * The Storage API.
   *
   * @default 'supabase/storage-api:v1.74.0'
   */
  readonly storage?: string;

  /**
   * imgproxy, the image transformer behind the Storage API.
   *
   * @default 'darthsim/imgproxy:v3.31.4'
   */
  readonly imgproxy?: string;

  /**
   * postgres-meta, the database API behind Studio.
   *
   * @default 'supabase/postgres-meta:v0.99.0'
   */
  readonly meta?: string;

  /**
   * Studio, the dashboard.
   *
   * @default 'supabase/studio:2026.09.07-sha-7996410'
   */
  readonly studio?: string;

  /**
   * Edge Functions (the edge runtime), when enabled. An image of your own that adds your functions under
   * `/home/deno/functions` goes here.
   *
   * @default 'supabase/edge-runtime:v1.76.2'
   */
  readonly functions?: string;
}

/** The default image of each service (self-hosted Supabase 0.8.1). */
export const DEFAULT_IMAGES: Required<SupabaseImages> = {
  kong: 'kong/kong:3.9.3',
  auth: 'supabase/gotrue:v2.196.0',
  rest: 'postgrest/postgrest:v14.17',
  realtime: 'supabase/realtime:v2.134.10',
  storage: 'supabase/storage-api:v1.74.0',
  imgproxy: 'darthsim/imgproxy:v3.31.4',
  meta: 'supabase/postgres-meta:v0.99.0',
  studio: 'supabase/studio:2026.09.07-sha-7996410',
  functions: 'supabase/edge-runtime:v1.76.2',
};
