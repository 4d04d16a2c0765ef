/** The functional check's Realtime step: broadcast and presence on a public channel, as the user. */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { describeError, signal, within } from './errors';
import { RunNames } from './names';
import type { FunctionalCheckDeps } from './types';

/**
 * Joins the public channel as the user, with broadcast `self` (its own messages come back) and `ack` (the server
 * confirms each), and presence under the run's key: a broadcast must come back, and its own presence must join and sync.
 */
export async function realtimeStep(user: SupabaseClient, n: RunNames, timeoutMs: number, deps: FunctionalCheckDeps): Promise<string> {
  const topic = `realtime:${n.channel}`;
  const nonce = Buffer.from(deps.randomBytes(8)).toString('hex');
  const received = signal();
  const joined = signal();
  const synced = signal();
  let channel: RealtimeChannel | undefined;
  try {
    channel = user.channel(n.channel, { config: { broadcast: { self: true, ack: true }, presence: { key: n.presenceKey } } });
    const ch = channel;
    ch.on('broadcast', { event: 'smoke' }, (message) => {
      if ((message.payload as { nonce?: string } | undefined)?.nonce === nonce) {
        received.resolve();
      }
    });
    ch.on('presence', { event: 'join' }, (payload: { key: string }) => {
      if (payload.key === n.presenceKey) {
        joined.resolve();
      }
    });
    ch.on('presence', { event: 'sync' }, () => {
      if (ch.presenceState()[n.presenceKey]?.length) {
        synced.resolve();
      }
    });
    const started = deps.now();
    await within(timeoutMs, `subscription to ${topic}`, new Promise<void>((resolve, reject) => {
      ch.subscribe((status, error) => {
        if (status === 'SUBSCRIBED') {
          resolve();
        } else {
          reject(new Error(`subscribing to ${topic}: ${status}${error ? `: ${describeError(error)}` : ''}`));
        }
      });
    }));
    const subscribedIn = deps.now() - started;
    const sent = await ch.send({ type: 'broadcast', event: 'smoke', payload: { nonce } });
    if (sent !== 'ok') {
      throw new Error(`the broadcast on ${topic} was not acknowledged: ${sent}`);
    }
    await within(timeoutMs, `broadcast back on ${topic} (self: true)`, received.promise);
    const tracked = await ch.track({ run: n.runId });
    if (tracked !== 'ok') {
      throw new Error(`tracking presence on ${topic} was not acknowledged: ${tracked}`);
    }
    await within(timeoutMs, `presence join of ${n.presenceKey} on ${topic}`, joined.promise);
    await within(timeoutMs, `presence sync with ${n.presenceKey} on ${topic}`, synced.promise);
    return `${topic} as the user: subscribed in ${subscribedIn} ms, a broadcast acknowledged and received back, presence tracked (join and sync seen)`;
  } finally {
    // Leave the channel and close the socket (nothing of it stays on the server).
    if (channel) {
      await channel.unsubscribe(Math.min(timeoutMs, 2000)).catch(() => undefined);
      channel.teardown();
    }
    await closeRealtime(user, Math.min(timeoutMs, 2000)).catch(() => undefined);
  }
}

/**
 * Closes the client's Realtime socket. RealtimeClient.disconnect() in realtime-js 2.109.0 (the pinned version) leaves a
 * 10 s timer behind that it never clears, and leaving the last channel schedules another (twice the heartbeat
 * interval), either keeping Node.js alive after the report: cancel the second and close the Phoenix socket beneath
 * directly. Should a later version lack these internals, the public disconnect() is the fallback.
 */
async function closeRealtime(client: SupabaseClient, ms: number): Promise<void> {
  const realtime = client.realtime as unknown as {
    _cancelPendingDisconnect?: () => void;
    socketAdapter?: { getSocket?: () => { disconnect?: (done: () => void) => void } };
  };
  const socket = realtime.socketAdapter?.getSocket?.();
  if (typeof realtime._cancelPendingDisconnect === 'function' && typeof socket?.disconnect === 'function') {
    realtime._cancelPendingDisconnect();
    await within(ms, 'socket close', new Promise<void>((resolve) => socket.disconnect!(resolve)));
  } else {
    await within(ms, 'socket close', client.realtime.disconnect().then(() => undefined));
  }
}
