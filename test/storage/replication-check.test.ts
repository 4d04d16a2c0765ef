/**
 * supabase-on-aws-replication-check against a stand-in AWS CLI that serves a stack's outputs and an inventory report
 * in the layout and format S3 Inventory delivers (manifest.json beside gzipped, quoted CSV files).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findStorageOutputs, main } from '../../src/storage/replication-check/cli';
import { emptyTally, parseCsvLine, parseManifest, tallyLines } from '../../src/storage/replication-check/inventory';
import { fakeAwsCli } from '../fake-aws-cli';

const BUCKET = 'supabase-ireland-prod-123456789012-eu-west-1';
const LOGS = 'supabasecore-storageaccesslogsbucket-abc123';
const SCHEMA = 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ReplicationStatus';
const OUTPUTS = [
  { OutputKey: 'SupabaseApiUrlA1B2C3D4', OutputValue: 'https://supabase.example.com' },
  { OutputKey: 'SupabaseStorageBucketName0A1B2C3D', OutputValue: BUCKET },
  { OutputKey: 'SupabaseStorageLogBucketName4E5F6071', OutputValue: LOGS },
];

const row = (key: string, status: string, deleteMarker = false) =>
  [BUCKET, key, 'v1', 'true', String(deleteMarker), deleteMarker ? '' : '42', '2026-12-01T10:00:00.000Z', status].map((f) => `"${f}"`).join(',');

/** A stand-in `aws`: describe-stacks, list-objects-v2 of the report folders, get-object of the report's files. */
function fakeAws(reports: Record<string, string[]>, outputs = OUTPUTS) {
  const cli = fakeAwsCli({
    'cloudformation describe-stacks': 'cat "$dir/describe.json"',
    's3api list-objects-v2': 'cat "$dir/list.json"',
    's3api get-object': 'key=$(echo "$*" | sed -e "s/.*--key \\([^ ]*\\).*/\\1/" | tr / _); cp "$dir/objects/$key" "$last" || exit 1',
  });
  mkdirSync(join(cli.dir, 'objects'));
  const put = (key: string, body: Buffer | string) => writeFileSync(join(cli.dir, 'objects', key.replace(/\//g, '_')), body);
  const prefix = `inventory/${BUCKET}/ReplicationStatus/`;
  for (const [folder, files] of Object.entries(reports)) {
    const keys = files.map((_, i) => `${prefix}data/${folder}-${i}.csv.gz`);
    files.forEach((csv, i) => put(keys[i], gzipSync(csv)));
    put(`${prefix}${folder}/manifest.json`, JSON.stringify({
      sourceBucket: BUCKET,
      destinationBucket: `arn:aws:s3:::${LOGS}`,
      version: '2016-11-30',
      creationTimestamp: String(Date.parse(folder.replace(/T(\d{2})-(\d{2})Z$/, 'T$1:$2:00Z'))),
      fileFormat: 'CSV',
      fileSchema: SCHEMA,
      files: keys.map((key) => ({ key, size: 1, MD5checksum: 'x' })),
    }));
  }
  writeFileSync(join(cli.dir, 'describe.json'), JSON.stringify({ Stacks: [{ Outputs: outputs }] }));
  writeFileSync(join(cli.dir, 'list.json'), JSON.stringify({
    CommonPrefixes: [...Object.keys(reports), 'data', 'hive'].map((f) => ({ Prefix: `${prefix}${f}/` })),
  }));
  return cli;
}

async function run(aws: ReturnType<typeof fakeAws>, argv = ['--stack', 'SupabaseProdApplications']) {
  const lines: string[] = [];
  const code = await main(argv, aws.env, (line) => lines.push(line), new Date('2026-12-04T12:00:00Z'));
  return { code, output: lines.join('\n') };
}

test('every version replicated (or a replica, or in flight): PASS, exit 0, counted by status', async () => {
  const aws = fakeAws({
    '2026-12-04T01-00Z': [
      [row('avatars/a.png', 'COMPLETED'), row('avatars/b.png', 'COMPLETED'), row('avatars/gone.png', '', true)].join('\n'),
      [row('docs/failback.pdf', 'REPLICA'), row('docs/new.pdf', 'PENDING')].join('\n'),
    ],
  });
  const { code, output } = await run(aws);
  expect(output).toMatch(/replicated \(COMPLETED\)\s+2\n/);
  expect(output).toMatch(/replicas from the other site\s+1\n/);
  expect(output).toMatch(/in flight \(PENDING\)\s+1\n/);
  expect(output).toMatch(/delete markers \(not checked\)\s+1\n/);
  expect(output).toContain('PASS: nothing failed or was left out; 1 version(s) were still in flight');
  expect(code).toBe(0);
  // It reads the log bucket only, never the Storage bucket.
  expect(aws.calls().filter((c) => c.startsWith('s3api')).every((c) => c.includes(`--bucket ${LOGS} `))).toBe(true);
});

test('versions that failed or were never replicated: FAIL, exit 1, with their keys decoded', async () => {
  const aws = fakeAws({
    '2026-12-04T01-00Z': [[
      row('avatars/a.png', 'COMPLETED'),
      row('avatars/before+replication%C3%A9.png', ''),
      row('docs/broken.pdf', 'FAILED'),
    ].join('\n')],
  });
  const { code, output } = await run(aws);
  expect(output).toContain('FAIL: 2 version(s) did not reach the other region');
  expect(output).toContain('avatars/before replicationé.png (NONE)');
  expect(output).toContain('docs/broken.pdf (FAILED)');
  expect(output).toContain('S3 Batch Replication');
  expect(code).toBe(1);
});

test('the newest report is read, not an older one', async () => {
  const aws = fakeAws({
    '2026-12-02T01-00Z': [row('avatars/a.png', 'FAILED')],
    '2026-12-04T01-00Z': [row('avatars/a.png', 'COMPLETED')],
    '2026-12-03T01-00Z': [row('avatars/a.png', '')],
  });
  const { code, output } = await run(aws);
  expect(output).toContain('begun 2026-12-04T01:00:00.000Z (11 h ago)');
  expect(code).toBe(0);
});

test('an old report is flagged', async () => {
  const { output } = await run(fakeAws({ '2026-11-30T01-00Z': [row('a', 'COMPLETED')] }));
  expect(output).toContain('WARNING: the newest report is 107 h old');
});

test('no report yet: exit 2, saying when S3 delivers the first', async () => {
  const { code, output } = await run(fakeAws({}));
  expect(output).toContain(`No inventory report yet under s3://${LOGS}/inventory/${BUCKET}/ReplicationStatus/`);
  expect(code).toBe(2);
});

test('a stack whose bucket does not replicate: exit 2, naming the missing output', async () => {
  const { code, output } = await run(fakeAws({}, OUTPUTS.filter((o) => !/LogBucket/.test(o.OutputKey))));
  expect(output).toContain('has no SupabaseStorageLogBucketName output');
  expect(code).toBe(2);
  expect(() => findStorageOutputs('X', [])).toThrow(/no StorageBucketName output/);
});

test('usage errors', async () => {
  expect((await run(fakeAws({}), [])).output).toContain('--stack is required');
  expect((await run(fakeAws({}), ['--bucket', 'x'])).code).toBe(2);
  expect((await run(fakeAws({}), ['--help'])).code).toBe(0);
});

describe('reading the report', () => {
  test('quoted CSV fields with commas and escaped quotes', () => {
    expect(parseCsvLine('"b","a,b","say ""hi""","","true"')).toEqual(['b', 'a,b', 'say "hi"', '', 'true']);
    expect(parseCsvLine('b,k,,true')).toEqual(['b', 'k', '', 'true']);
  });

  test('a report without the replication status is refused: it could not tell anything', () => {
    expect(() => parseManifest(JSON.stringify({ fileFormat: 'CSV', fileSchema: 'Bucket, Key, IsDeleteMarker', files: [] })))
      .toThrow(/no ReplicationStatus column/);
    expect(() => parseManifest(JSON.stringify({ fileFormat: 'Parquet', fileSchema: SCHEMA, files: [] }))).toThrow(/not CSV/);
  });

  test('columns are found by name, not position', () => {
    const columns = ['ReplicationStatus', 'IsDeleteMarker', 'Key'];
    const tally = tallyLines(emptyTally(), columns, '"FAILED","false","x"\n"COMPLETED","false","y"\n');
    expect(tally.versions).toMatchObject({ FAILED: 1, COMPLETED: 1 });
    expect(tally.notReplicated).toEqual(['x (FAILED)']);
  });
});
