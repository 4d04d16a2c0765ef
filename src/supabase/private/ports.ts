/** The container port of each service (self-hosted Supabase 0.8.1). */
export const PORTS = {
  kong: 8000,
  /** Kong's status listener: `/status/ready` for the load balancer's health check and the probes. */
  kongStatus: 8100,
  auth: 9999,
  rest: 3000,
  /** PostgREST's admin server: `/live`, `/ready`. */
  restAdmin: 3001,
  realtime: 4000,
  storage: 5000,
  imgproxy: 5001,
  meta: 8080,
  studio: 3000,
  functions: 9000,
} as const;

/**
 * The numeric user and group each pod runs as: Pod Security Standards "restricted" needs a numeric non-root user
 * that the kubelet can verify. Where the image has a numbered non-root user, that user (GoTrue, PostgREST, imgproxy,
 * Studio); Realtime runs as `nobody`, as its own run.sh does. The Storage API, postgres-meta and the edge runtime
 * run as root in their images and Kong names its user without a number: they get an unprivileged id, which can
 * read the images' files and writes only to the emptyDirs mounted for it.
 */
export const IMAGE_USERS = {
  kong: { user: 1000, group: 1000 },
  auth: { user: 1000, group: 1000 },
  rest: { user: 1000, group: 1000 },
  realtime: { user: 65534, group: 65534 },
  storage: { user: 1000, group: 1000 },
  imgproxy: { user: 999, group: 999 },
  meta: { user: 1000, group: 1000 },
  studio: { user: 1000, group: 1000 },
  functions: { user: 1000, group: 1000 },
} as const;
