/** The functional check's types: its configuration, dependencies, results and step names. */
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import type { FullCheckInput } from '../full-check';

export type StepStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface StepResult {
  readonly name: string;
  readonly status: StepStatus;
  /** How long the step took; undefined for a step that did not run. */
  readonly ms?: number;
  /** What it saw on success, what went wrong on failure, why it did not run on a skip; never a secret. */
  readonly detail: string;
}

/** What the command hands the check (without its printer, which comes with the other dependencies). */
export interface FunctionalCheckConfig extends Omit<FullCheckInput, 'print'> {
  /** How long to wait for PostgREST to see the new table after the reload notification (default: 30 s). */
  readonly schemaReloadTimeoutMs?: number;
}

export interface FunctionalCheckDeps {
  /** The run id, [a-z0-9]{6,24}: it names everything the check makes. */
  readonly runId: () => string;
  /** Random bytes, for the password, the other owner's id and the payloads. */
  readonly randomBytes: (size: number) => Uint8Array;
  /** The clock, in ms (timings and deadlines). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The network: HTTP(S) and Realtime's WebSocket. */
  readonly fetch: typeof fetch;
  readonly transport: WebSocketLikeConstructor;
  /** Prints one line of the report as soon as it is known (already redacted). */
  readonly print: (line: string) => void;
}

export interface FunctionalCheckOutcome {
  readonly runId: string;
  readonly results: StepResult[];
  /** What the cleanup could not remove, named for the operator. */
  readonly leftBehind: string[];
  /** No step failed (skips allowed), the cleanup included. */
  readonly passed: boolean;
}

/** The steps, in order. */
export const STEP = {
  createUser: 'Auth: create user',
  signIn: 'Auth: sign in',
  rest: 'PostgREST: row-level security',
  storage: 'Storage: private bucket',
  cdn: 'CDN: public object',
  realtime: 'Realtime: broadcast, presence',
  functions: 'Functions: invoke',
} as const;
