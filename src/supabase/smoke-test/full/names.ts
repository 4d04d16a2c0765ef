/**
 * The names of everything the functional check makes, and its SQL. The SQL takes no parameters and no input from
 * anyone: it is built only from the run id, which the check generates itself and which is checked to be [a-z0-9]
 * (runNames), so every identifier and literal in it is safe as written.
 */
/** A run id: lowercase letters and digits only (it ends up in SQL identifiers, bucket names and an email address). */
export const RUN_ID = /^[a-z0-9]{6,24}$/;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A run id of `length` characters from [a-z0-9], from random bytes. */
export function newRunId(randomBytes: (size: number) => Uint8Array, length = 10): string {
  return Array.from(randomBytes(length), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

/** A strong throw-away password: 32 random base64url characters plus a lowercase, uppercase, digit and symbol. */
export function newPassword(randomBytes: (size: number) => Uint8Array): string {
  return `${Buffer.from(randomBytes(24)).toString('base64url')}-Aa1`;
}

/** A random (version 4) UUID. */
export function newUuid(randomBytes: (size: number) => Uint8Array): string {
  const bytes = Buffer.from(randomBytes(16));
  bytes[6] = 0x40 + (bytes[6] % 0x10); // version 4
  bytes[8] = 0x80 + (bytes[8] % 0x40); // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface RunNames {
  readonly runId: string;
  /** The throw-away user. */
  readonly email: string;
  /** The table, without and with its schema. */
  readonly table: string;
  readonly qualifiedTable: string;
  readonly tablePolicy: string;
  readonly privateBucket: string;
  readonly publicBucket: string;
  /** The policies on storage.objects for the private bucket. */
  readonly storagePolicies: { readonly insert: string; readonly select: string; readonly delete: string };
  /** The Realtime channel (a public channel; its topic is `realtime:<channel>`) and the presence key. */
  readonly channel: string;
  readonly presenceKey: string;
}

export function runNames(runId: string): RunNames {
  if (!RUN_ID.test(runId)) {
    throw new Error(`A run id must be 6 to 24 characters of [a-z0-9], got '${runId}'`);
  }
  return {
    runId,
    email: `smoke-${runId}@example.com`,
    table: `smoke_test_${runId}`,
    qualifiedTable: `public.smoke_test_${runId}`,
    tablePolicy: `smoke_test_${runId}_owner`,
    privateBucket: `smoke-${runId}-private`,
    publicBucket: `smoke-${runId}-public`,
    storagePolicies: { insert: `smoke_${runId}_insert`, select: `smoke_${runId}_select`, delete: `smoke_${runId}_delete` },
    channel: `smoke-${runId}`,
    presenceKey: `smoke-${runId}`,
  };
}

/** PostgREST reloads its schema cache only on this notification (on RDS no event trigger sends it after DDL). */
export const RELOAD_SCHEMA = 'notify pgrst, \'reload schema\';';

/**
 * The table: row-level security on, and one policy: `authenticated` sees, adds and changes only rows it owns
 * (`owner = auth.uid()`, the JWT's subject). service_role bypasses row-level security.
 */
export function createTableSql(n: RunNames): string {
  const own = 'owner = (select auth.uid())';
  return [
    `create table ${n.qualifiedTable} (id uuid primary key default gen_random_uuid(), owner uuid not null default auth.uid(), note text not null);`,
    `alter table ${n.qualifiedTable} enable row level security;`,
    `grant select, insert on ${n.qualifiedTable} to authenticated;`,
    `grant all on ${n.qualifiedTable} to service_role;`,
    `create policy ${n.tablePolicy} on ${n.qualifiedTable} for all to authenticated using (${own}) with check (${own});`,
    RELOAD_SCHEMA,
  ].join('\n');
}

export function dropTableSql(n: RunNames): string {
  return [`drop table if exists ${n.qualifiedTable};`, RELOAD_SCHEMA].join('\n');
}

/** What an object's path must start with for the user: its own folder, `<auth.uid()>/`. */
const OWN_FOLDER = '(storage.foldername(name))[1] = (select auth.uid()::text)';

/** Policies on storage.objects for the private bucket only: authenticated may add, read and delete objects in its own folder. */
export function createStoragePoliciesSql(n: RunNames): string {
  const mine = `bucket_id = '${n.privateBucket}' and ${OWN_FOLDER}`;
  const p = n.storagePolicies;
  return [
    `create policy ${p.insert} on storage.objects for insert to authenticated with check (${mine});`,
    `create policy ${p.select} on storage.objects for select to authenticated using (${mine});`,
    `create policy ${p.delete} on storage.objects for delete to authenticated using (${mine});`,
  ].join('\n');
}

export function dropStoragePoliciesSql(n: RunNames): string {
  const p = n.storagePolicies;
  return [p.insert, p.select, p.delete].map((policy) => `drop policy if exists ${policy} on storage.objects;`).join('\n');
}
