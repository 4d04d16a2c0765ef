#!/usr/bin/env node
/**
 * supabase-on-aws-smoke-test: checks a deployed SupabaseOnAws through its public URL. It reads the stack's outputs
 * and the anon key (from Secrets Manager) with the AWS CLI and your credentials, then checks Auth, PostgREST, Storage
 * and Realtime, printing PASS or FAIL for each. Exit status: 0 all passed, 1 a check failed, 2 it could not run.
 */
import { execFile } from 'node:child_process';
import { formatReport, runSmokeTest } from './checks';

const USAGE = `Usage: supabase-on-aws-smoke-test --stack <name> [--region <region>] [--timeout <seconds>]

  --stack    the stack that holds SupabaseOnAws (in the examples: SupabaseDevApplications, SupabaseProdApplications)
  --region   its region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS CLI's configuration)
  --timeout  seconds to wait for each answer (default: 10)

Needs the AWS CLI and credentials allowed cloudformation:DescribeStacks on the stack and secretsmanager:GetSecretValue
(with kms:Decrypt) on the API keys' secret. The anon key is never printed.`;

export interface StackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
}

export interface SupabaseOutputs {
  readonly apiUrl: string;
  readonly apiKeysSecretArn: string;
}

/** CDK names an output by its construct path and an 8-digit hash: `Supabase` + `ApiUrl` + `1A2B3C4D`. */
const outputKey = (prefix: string, name: string) => new RegExp(`^${prefix}${name}(?:[0-9A-F]{8})?$`);

/** The API URL and API keys' secret among a stack's outputs, from the one SupabaseOnAws in it. */
export function findSupabaseOutputs(stack: string, outputs: StackOutput[]): SupabaseOutputs {
  const urls = outputs.filter((o) => outputKey('(.*)', 'ApiUrl').test(o.OutputKey));
  if (urls.length !== 1) {
    throw new Error(urls.length === 0
      ? `Stack ${stack} has no ApiUrl output: pass the stack that holds SupabaseOnAws (e.g. SupabaseProdApplications)`
      : `Stack ${stack} has ${urls.length} ApiUrl outputs (${urls.map((o) => o.OutputKey).join(', ')}): one SupabaseOnAws per stack is supported`);
  }
  const prefix = outputKey('(.*)', 'ApiUrl').exec(urls[0].OutputKey)![1];
  const secret = outputs.find((o) => outputKey(prefix, 'ApiKeysSecretArn').test(o.OutputKey));
  if (!secret) {
    throw new Error(`Stack ${stack} has no ${prefix}ApiKeysSecretArn output beside ${urls[0].OutputKey}`);
  }
  return { apiUrl: urls[0].OutputValue, apiKeysSecretArn: secret.OutputValue };
}

/** Runs the AWS CLI with `args` and gives its standard output. */
function aws(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('aws', args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('The AWS CLI (aws) is not installed or not on the PATH: https://docs.aws.amazon.com/cli/'));
      } else if (error) {
        reject(new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${String(stderr).trim() || error.message}`));
      } else {
        resolve(String(stdout));
      }
    });
  });
}

/** The secret's anonKey field; a parse error is not rethrown, since its message could quote the secret. */
function anonKeyOf(secretString: string): string {
  try {
    const value = (JSON.parse(secretString) as { anonKey?: unknown }).anonKey;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

interface Options {
  readonly stack: string;
  readonly region?: string;
  readonly timeoutMs: number;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | undefined {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--help' || name === '-h') {
      return undefined;
    }
    if (!['--stack', '--region', '--timeout'].includes(name) || argv[i + 1] === undefined) {
      throw new Error(`Unexpected argument '${name}'${argv[i + 1] === undefined ? ' (or its value is missing)' : ''}\n${USAGE}`);
    }
    values[name.slice(2)] = argv[++i];
  }
  if (!values.stack) {
    throw new Error(`--stack is required\n${USAGE}`);
  }
  const timeout = Number(values.timeout ?? '10');
  if (!(timeout > 0)) {
    throw new Error(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
  }
  return { stack: values.stack, region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION, timeoutMs: timeout * 1000 };
}

/** The command; gives the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  let options: Options | undefined;
  let outputs: SupabaseOutputs;
  let anonKey: string;
  try {
    options = parseArgs(argv, env);
    if (!options) {
      print(USAGE);
      return 0;
    }
    const region = options.region ? ['--region', options.region] : [];
    const described = JSON.parse(await aws(['cloudformation', 'describe-stacks', '--stack-name', options.stack, ...region, '--output', 'json'], env));
    outputs = findSupabaseOutputs(options.stack, described.Stacks?.[0]?.Outputs ?? []);
    const secretString = await aws(['secretsmanager', 'get-secret-value', '--secret-id', outputs.apiKeysSecretArn, ...region,
      '--query', 'SecretString', '--output', 'text'], env);
    anonKey = anonKeyOf(secretString);
    if (!anonKey) {
      throw new Error(`The secret ${outputs.apiKeysSecretArn} is not JSON with an anonKey field`);
    }
  } catch (error) {
    print(`supabase-on-aws-smoke-test: ${(error as Error).message}`);
    return 2;
  }
  const results = await runSmokeTest(outputs.apiUrl, anonKey, options.timeoutMs);
  print(formatReport(outputs.apiUrl, results));
  return results.every((r) => r.passed) ? 0 : 1;
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env, (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
