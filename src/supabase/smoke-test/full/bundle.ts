/**
 * The entry of the functional check's bundle (assets/supabase/smoke-test/full/bundle/index.js, built by esbuild with
 * supabase-js and ws inside): the real world for `runFunctionalCheck`. The command (cli.ts) loads it for `--full`.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { FullCheckInput } from '../full-check';
import { runFunctionalCheck } from './functional-check';
import { newRunId } from './names';

export async function runFullCheck(input: FullCheckInput): Promise<boolean> {
  const outcome = await runFunctionalCheck(input, {
    runId: () => newRunId(randomBytes),
    randomBytes,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    fetch: globalThis.fetch,
    // Node.js 20 has no global WebSocket: ws is Realtime's transport.
    transport: WebSocket as unknown as WebSocketLikeConstructor,
    print: input.print,
  });
  return outcome.passed;
}
