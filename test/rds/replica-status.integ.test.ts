/**
 * The replica status function against a real streaming replica (./pg-harness.ts: a primary set up like RDS and
 * bootstrapped, TLS only as with rds.force_ssl, and a physical standby made from it as RDS makes a read replica),
 * on PostgreSQL 15 and on the default engine's major (18): the recovery point it reads is the commit time of the last
 * transaction the replica got, it stays put when the primary dies while the time since it grows (which is all a lag
 * metric can show then), the data up to it is on the replica, and after the promotion and the restart RDS does with
 * it, PostgreSQL no longer knows it.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { DATABASE, MASTER_USER, PgHarness } from './pg-harness';
import { LOGIN_ROLES, bootstrapDatabase } from '../../src/rds/bootstrap';
import { ReplicaStatus, onInvoke } from '../../src/rds/replica-status.lambda';

jest.setTimeout(300_000);

const MASTER_PASSWORD = `master${randomBytes(10).toString('hex')}`;
const PASSWORDS = Object.fromEntries(LOGIN_ROLES.map((u) => [u, `pw${randomBytes(12).toString('hex')}`]));
const SECRET_ID = 'supabase/ireland-prod/db-rest';
const sm = mockClient(SecretsManagerClient);

describe.each([15, 18])('PostgreSQL %i', (major) => {
  let primary: PgHarness;
  let standby: PgHarness;
  let master: Client;
  const logs: string[] = [];

  /** The function as Lambda runs it, pointed at the standby and verifying its certificate. */
  const invoke = (): Promise<ReplicaStatus> => onInvoke(
    { SECRET_ID, DB_HOST: '127.0.0.1', DB_PORT: String(standby.port), DB_NAME: DATABASE },
    new SecretsManagerClient({ region: 'eu-central-1' }),
    undefined,
    { ca: standby.tlsCertificate },
  );

  /** Waits until the standby has replayed a transaction committed at or after `since`. */
  async function replayedSince(since: Date): Promise<ReplicaStatus> {
    for (let i = 0; i < 100; i++) {
      const status = await invoke();
      if (status.lastReplayedTransactionAt && new Date(status.lastReplayedTransactionAt) >= since) {
        return status;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the standby did not replay the transaction');
  }

  /** Commits one row on the primary and gives the clock before and after the commit. */
  async function commitRow(label: string): Promise<{ before: Date; after: Date }> {
    const before = (await master.query('select clock_timestamp() as t')).rows[0].t as Date;
    await master.query('insert into rpo_probe(label) values ($1)', [label]);
    const after = (await master.query('select clock_timestamp() as t')).rows[0].t as Date;
    return { before, after };
  }

  beforeAll(async () => {
    primary = await PgHarness.start(major, MASTER_PASSWORD, { tls: true });
    await primary.emulateRdsBypassRls();
    master = await primary.connect(MASTER_USER, MASTER_PASSWORD);
    // The crash below ends this session: expected, not an error of the test.
    master.on('error', () => undefined);
    await bootstrapDatabase(master, primary.bootstrapOptions(PASSWORDS));
    await master.query('create table rpo_probe(id serial primary key, label text not null)');
    standby = await primary.startStandby();
    sm.reset();
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({
      // The replica of the primary's login secret: it still names the primary's host, which the function ignores.
      SecretString: JSON.stringify({ username: 'authenticator', password: PASSWORDS.authenticator, host: 'supabase-ireland-prod.eu-west-1.rds.amazonaws.com', port: 5432 }),
    });
    jest.spyOn(console, 'log').mockImplementation((...args) => { logs.push(args.join(' ')); });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await master?.end().catch(() => undefined);
    await standby?.stop();
    await primary?.stop();
  });

  test('on a replica that keeps up: in recovery, the last replayed commit is the primary\'s last one, nothing left to replay', async () => {
    const { before, after } = await commitRow('first');
    const status = await replayedSince(before);
    expect(status.inRecovery).toBe(true);
    const last = new Date(status.lastReplayedTransactionAt!);
    expect(last.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(last.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(status.receivedLsn).toBe(status.replayedLsn);
    expect(status.unreplayedBytes).toBe(0);
    // As authenticator, over TLS verified against the server's certificate; no password in what it logged.
    expect(logs.join('\n')).not.toContain(PASSWORDS.authenticator);
  });

  test('the primary dies: the recovery point stays at its last commit, the data up to it is on the replica, only the time since grows', async () => {
    const { before, after } = await commitRow('last before the failure');
    const atFailure = await replayedSince(before);
    primary.crash();
    await new Promise((r) => setTimeout(r, 1500));
    const later = await invoke();
    expect(later.inRecovery).toBe(true);
    // What a lag metric shows grows with the wall clock...
    expect(later.secondsSinceLastReplayedTransaction!).toBeGreaterThan(atFailure.secondsSinceLastReplayedTransaction! + 1);
    // ...while the recovery point is the last commit the replica got, within the commit's clock readings.
    expect(later.lastReplayedTransactionAt).toBe(atFailure.lastReplayedTransactionAt);
    expect(new Date(later.lastReplayedTransactionAt!).getTime()).toBeLessThanOrEqual(after.getTime());
    const onReplica = await standby.connect(MASTER_USER, MASTER_PASSWORD);
    try {
      const rows = (await onReplica.query('select label from rpo_probe order by id')).rows.map((r) => r.label);
      expect(rows).toEqual(['first', 'last before the failure']);
    } finally {
      await onReplica.end();
    }
  });

  test('promoted: no longer in recovery; after the restart RDS does with a promotion, the recovery point is gone', async () => {
    standby.promote();
    expect((await invoke()).inRecovery).toBe(false);
    standby.restart();
    const restarted = await invoke();
    expect(restarted).toMatchObject({ inRecovery: false, lastReplayedTransactionAt: null, secondsSinceLastReplayedTransaction: null });
  });
});
