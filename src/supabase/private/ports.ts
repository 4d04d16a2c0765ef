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

/** How long an Edge Function's worker may take over a request (upstream's 150 s); the gateway waits 10 s longer. */
export const FUNCTIONS_REQUEST_TIMEOUT_MS = 150_000;
