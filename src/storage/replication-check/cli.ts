#!/usr/bin/env node
/**
 * supabase-on-aws-replication-check: checks, against the newest daily S3 Inventory report, that every object version
 * of a replicated Supabase Storage bucket reached the other region. It reads the stack's outputs (the bucket and the
 * log bucket the inventory goes to) and the report with the AWS CLI and your credentials. Exit status: 0 every version
 * replicated (some may be in flight), 1 some failed or were never replicated, 2 it could not run (no report yet: S3
 * delivers the first within 48 hours of the inventory's creation).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InventoryManifest, ReplicationTally, allReplicated, emptyTally, formatTally, latestReportFolder, parseManifest, tallyLines } from './inventory';
import { describeStackOutputs, outputKey, runAws } from '../../private/aws-cli';
import { INVENTORY_ID, INVENTORY_PREFIX } from '../private/replication-names';

const USAGE = `Usage: supabase-on-aws-replication-check --stack <name> [--region <region>]

  --stack   the stack that holds SupabaseOnAws with a replicated bucket (in the examples: SupabaseProdApplications,
            or SupabaseDrApplications for the replication back after a failover)
  --region  its region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS CLI's configuration)

Reads the newest daily inventory of the bucket's versions (StorageLogBucketName output, under ${INVENTORY_PREFIX}) and
counts them by replication status. Needs the AWS CLI and credentials allowed cloudformation:DescribeStacks on the stack,
and s3:ListBucket and s3:GetObject on the log bucket's ${INVENTORY_PREFIX} prefix. It never reads the bucket itself.`;

/** The bucket and the log bucket among a stack's outputs, from the one SupabaseOnAws in it. */
export function findStorageOutputs(stack: string, outputs: { OutputKey: string; OutputValue: string }[]): { bucket: string; logBucket: string } {
  const buckets = outputs.filter((o) => outputKey('(.*)', 'StorageBucketName').test(o.OutputKey));
  if (buckets.length !== 1) {
    throw new Error(buckets.length === 0
      ? `Stack ${stack} has no StorageBucketName output: pass the stack that holds SupabaseOnAws (e.g. SupabaseProdApplications)`
      : `Stack ${stack} has ${buckets.length} StorageBucketName outputs: one SupabaseOnAws per stack is supported`);
  }
  const prefix = outputKey('(.*)', 'StorageBucketName').exec(buckets[0].OutputKey)![1];
  const logBucket = outputs.find((o) => outputKey(prefix, 'StorageLogBucketName').test(o.OutputKey));
  if (!logBucket) {
    throw new Error(`Stack ${stack} has no ${prefix}StorageLogBucketName output: its bucket does not replicate (SupabaseStorage \`replication\`), so it has no replication inventory`);
  }
  return { bucket: buckets[0].OutputValue, logBucket: logBucket.OutputValue };
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): { stack: string; region?: string } | undefined {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--help' || name === '-h') {
      return undefined;
    }
    if (!['--stack', '--region'].includes(name) || argv[i + 1] === undefined) {
      throw new Error(`Unexpected argument '${name}'${argv[i + 1] === undefined ? ' (or its value is missing)' : ''}\n${USAGE}`);
    }
    values[name.slice(2)] = argv[++i];
  }
  if (!values.stack) {
    throw new Error(`--stack is required\n${USAGE}`);
  }
  return { stack: values.stack, region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION };
}

/** The command; gives the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void, now = new Date()): Promise<number> {
  let options: { stack: string; region?: string } | undefined;
  const work = mkdtempSync(join(tmpdir(), 'supabase-replication-check-'));
  try {
    options = parseArgs(argv, env);
    if (!options) {
      print(USAGE);
      return 0;
    }
    const region = options.region ? ['--region', options.region] : [];
    const { bucket, logBucket } = findStorageOutputs(options.stack, await describeStackOutputs(options.stack, options.region, env));
    const reports = `${INVENTORY_PREFIX}${bucket}/${INVENTORY_ID}/`;
    const listing = JSON.parse(await runAws(['s3api', 'list-objects-v2', '--bucket', logBucket, '--prefix', reports,
      '--delimiter', '/', ...region, '--output', 'json'], env) || '{}');
    const folder = latestReportFolder((listing.CommonPrefixes ?? []).map((p: { Prefix: string }) => p.Prefix));
    if (!folder) {
      throw new Error(`No inventory report yet under s3://${logBucket}/${reports}: S3 delivers the first within 48 hours of the inventory's creation`);
    }
    const download = async (key: string, name: string) => {
      const file = join(work, name);
      await runAws(['s3api', 'get-object', '--bucket', logBucket, '--key', key, ...region, file], env);
      return readFileSync(file);
    };
    const manifest: InventoryManifest = parseManifest((await download(`${folder}manifest.json`, 'manifest.json')).toString('utf8'));
    let tally: ReplicationTally = emptyTally();
    for (const [i, key] of manifest.files.entries()) {
      tally = tallyLines(tally, manifest.columns, gunzipSync(await download(key, `data-${i}.csv.gz`)).toString('utf8'));
    }
    formatTally(bucket, manifest, tally, now).forEach((line) => print(line));
    return allReplicated(tally) ? 0 : 1;
  } catch (error) {
    print(`supabase-on-aws-replication-check: ${(error as Error).message}`);
    return 2;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env, (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
