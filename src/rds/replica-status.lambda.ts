/**
 * The recovery point of a cross-region read replica, read on the replica itself: the commit time of the last
 * transaction it replayed (`pg_last_xact_replay_timestamp()`), and how much WAL it received but has not replayed
 * yet. Invoked by the failover runbook (`aws lambda invoke`) before the promotion, from inside the VPC, so the
 * on-call engineer needs no network path to the database.
 *
 * Why not the ReplicaLag metric: once the primary is gone, the replica's lag is the time since it last heard from
 * it, which grows with the wall clock; what was lost is what the primary committed after the last transaction the
 * replica got. A promotion restarts the instance, after which `pg_last_xact_replay_timestamp()` is NULL, so the value
 * must be read before promoting.
 *
 * It logs in as `authenticator` (PostgREST's login, whose secret replica is in this region): these functions are
 * executable by every role, and the login has no privilege of its own. No password reaches a log or the answer.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';
import { readJsonSecret } from '../private/lambda/secrets';

/** The function's settings (its environment). */
export interface ReplicaStatusSettings {
  /** The name of the login secret (`username`, `password`) in this region. */
  readonly SECRET_ID: string;
  readonly DB_HOST: string;
  readonly DB_PORT: string;
  readonly DB_NAME: string;
}

/** What the function answers. */
export interface ReplicaStatus {
  /** Whether the instance still replays its primary's WAL (false once promoted). */
  readonly inRecovery: boolean;
  /**
   * The commit time, on the primary, of the last transaction the replica replayed: transactions the primary
   * committed later are lost if it never comes back (except those in `unreplayedBytes`). Null when nothing was
   * replayed since the instance started, or once promoted.
   */
  readonly lastReplayedTransactionAt: string | null;
  /** Seconds from that commit to `checkedAt`. */
  readonly secondsSinceLastReplayedTransaction: number | null;
  /** The WAL received from the primary and the WAL replayed, as LSNs. */
  readonly receivedLsn: string | null;
  readonly replayedLsn: string | null;
  /** WAL received but not yet replayed: a promotion replays it first, so it is not lost. */
  readonly unreplayedBytes: number | null;
  /** The replica's clock when it answered. */
  readonly checkedAt: string;
}

/** Opens a connection; injectable so tests can point it at a local server. */
export type Connect = (config: ClientConfig) => Promise<Client>;

const CONNECT_TIMEOUT_MS = 10_000;

const STATUS_QUERY = `select pg_is_in_recovery() as in_recovery,
  pg_last_xact_replay_timestamp() as last_replayed_at,
  pg_last_wal_receive_lsn()::text as received_lsn,
  pg_last_wal_replay_lsn()::text as replayed_lsn,
  pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as unreplayed_bytes,
  clock_timestamp() as checked_at`;

/** The status of the server `client` is connected to. */
export async function readReplicaStatus(client: Client): Promise<ReplicaStatus> {
  const row = (await client.query(STATUS_QUERY)).rows[0];
  const last: Date | null = row.last_replayed_at;
  const checkedAt: Date = row.checked_at;
  return {
    inRecovery: row.in_recovery,
    lastReplayedTransactionAt: last ? last.toISOString() : null,
    secondsSinceLastReplayedTransaction: last ? Math.round((checkedAt.getTime() - last.getTime()) / 100) / 10 : null,
    receivedLsn: row.received_lsn,
    replayedLsn: row.replayed_lsn,
    unreplayedBytes: row.unreplayed_bytes === null ? null : Number(row.unreplayed_bytes),
    checkedAt: checkedAt.toISOString(),
  };
}

async function defaultConnect(config: ClientConfig): Promise<Client> {
  const client = new Client(config);
  await client.connect();
  return client;
}

/** The logic of one invocation, separate from the Lambda entry point for tests. */
export async function onInvoke(
  settings: ReplicaStatusSettings,
  secrets: SecretsManagerClient,
  connect: Connect = defaultConnect,
  ssl: ClientConfig['ssl'] = { rejectUnauthorized: true },
): Promise<ReplicaStatus> {
  const login = (await readJsonSecret(secrets, settings.SECRET_ID, 'The login secret')).value;
  if (typeof login?.username !== 'string' || typeof login?.password !== 'string') {
    throw new Error('The login secret lacks a string `username` or `password` field');
  }
  let client: Client;
  try {
    client = await connect({
      host: settings.DB_HOST,
      port: Number(settings.DB_PORT),
      database: settings.DB_NAME,
      user: login.username,
      password: login.password,
      ssl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'supabase-replica-status',
    });
  } catch (e: any) {
    throw new Error(`Cannot connect to ${settings.DB_HOST}:${settings.DB_PORT} as ${login.username}: ${e?.message ?? e}`);
  }
  try {
    const status = await readReplicaStatus(client);
    console.log(JSON.stringify(status));
    return status;
  } finally {
    await client.end();
  }
}

const secretsManager = new SecretsManagerClient({});

export const handler = async (): Promise<ReplicaStatus> => onInvoke(process.env as unknown as ReplicaStatusSettings, secretsManager);
