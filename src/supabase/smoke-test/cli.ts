#!/usr/bin/env node
/**
 * supabase-on-aws-smoke-test: checks a deployed SupabaseOnAws through its public URL. It reads the stack's outputs
 * and the client key (from Secrets Manager: the publishable key when the deployment has signing keys, the anon key
 * otherwise) with the AWS CLI and your credentials, then checks Auth, PostgREST, Storage
 * and Realtime, printing PASS or FAIL for each. With --full it then runs the functional check (full/, a bundle loaded
 * at run time): a throw-away user, table, buckets and channel, removed afterwards. Exit status: 0 all passed (skips
 * allowed), 1 a check failed, 2 it could not run.
 */
import { formatReport, redact, runSmokeTest } from './checks';
import { FullCheckModule, fullBundlePath, loadFullCheck } from './full-check';
import { StackOutput, describeStackOutputs, outputKey, runAws as aws } from '../../private/aws-cli';

const USAGE = `Usage: supabase-on-aws-smoke-test --stack <name> [--region <region>] [--timeout <seconds>]
                                  [--full [--function <name> [--function-body <json>]]]

  --stack          the stack that holds SupabaseOnAws (in the examples: SupabaseDevApplications, SupabaseProdApplications)
  --region         its region (default: AWS_REGION, AWS_DEFAULT_REGION, or the AWS CLI's configuration)
  --timeout        seconds to wait for each answer (default: 10)
  --full           then the functional check with supabase-js: a throw-away user signs in, reads a table under
                   row-level security, stores and reads an object, a public object through the CDN (if any), and
                   broadcasts and tracks presence on Realtime; everything it makes is deleted afterwards
  --function       with --full: also call this deployed Edge Function as the user (passes on HTTP 2xx)
  --function-body  with --function: the JSON body to send it

Needs the AWS CLI and credentials allowed cloudformation:DescribeStacks on the stack and secretsmanager:GetSecretValue
(with kms:Decrypt) on the API keys' secret, or, when the deployment has signing keys, on the signing keys' secret,
whose publishable key it then uses (and its default secret key with --full) instead of the anon and service_role keys.
No key, password or token is ever printed.`;

export type { StackOutput } from '../../private/aws-cli';

export interface SupabaseOutputs {
  readonly apiUrl: string;
  readonly apiKeysSecretArn: string;
  /** The signing keys' secret, when the deployment has signing keys (its opaque API keys are used then). */
  readonly signingKeysSecretArn?: string;
  /** The CloudFront distribution's domain name, when the stack has a CDN. */
  readonly distributionDomainName?: string;
}

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
  const distribution = outputs.find((o) => outputKey(prefix, 'DistributionDomainName').test(o.OutputKey));
  const signingKeys = outputs.find((o) => outputKey(prefix, 'SigningKeysSecretArn').test(o.OutputKey));
  return {
    apiUrl: urls[0].OutputValue,
    apiKeysSecretArn: secret.OutputValue,
    ...(signingKeys ? { signingKeysSecretArn: signingKeys.OutputValue } : {}),
    ...(distribution ? { distributionDomainName: distribution.OutputValue } : {}),
  };
}

/** A string field of the secret; a parse error is not rethrown, since its message could quote the secret. */
function secretField(secretString: string, field: 'anonKey' | 'serviceRoleKey' | 'publishableKey' | 'secretKeys'): string {
  try {
    const value = (JSON.parse(secretString) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/** The default secret key of the signing keys' secret (the `default` of its `secretKeys` object), or ''. */
function defaultSecretKey(secretString: string): string {
  try {
    const value = (JSON.parse(secretField(secretString, 'secretKeys')) as Record<string, unknown>).default;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/**
 * The client key and the service key the checks use: with signing keys, the publishable key and the default secret
 * key (which the gateway translates); otherwise the anon and service_role keys.
 */
async function readKeys(
  outputs: SupabaseOutputs, full: boolean, region: string[], env: NodeJS.ProcessEnv,
): Promise<{ client: string; service: string }> {
  const arn = outputs.signingKeysSecretArn ?? outputs.apiKeysSecretArn;
  const secretString = await aws(['secretsmanager', 'get-secret-value', '--secret-id', arn, ...region, '--query', 'SecretString', '--output', 'text'], env);
  const opaque = outputs.signingKeysSecretArn !== undefined;
  const client = secretField(secretString, opaque ? 'publishableKey' : 'anonKey');
  if (!client) {
    throw new Error(`The secret ${arn} is not JSON with ${opaque ? 'a publishableKey' : 'an anonKey'} field`);
  }
  const service = full ? (opaque ? defaultSecretKey(secretString) : secretField(secretString, 'serviceRoleKey')) : '';
  if (full && !service) {
    throw new Error(`The secret ${arn} has no ${opaque ? 'default secret key (secretKeys)' : 'serviceRoleKey field'}, which --full needs`);
  }
  return { client, service };
}

interface Options {
  readonly stack: string;
  readonly region?: string;
  readonly timeoutMs: number;
  readonly full: boolean;
  readonly functionName?: string;
  readonly functionBody?: unknown;
}

/** Options that take a value, and flags. */
const VALUED = ['--stack', '--region', '--timeout', '--function', '--function-body'];
const FLAGS = ['--full'];

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | undefined {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--help' || name === '-h') {
      return undefined;
    }
    if (FLAGS.includes(name)) {
      flags.add(name);
      continue;
    }
    if (!VALUED.includes(name) || argv[i + 1] === undefined) {
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
  const full = flags.has('--full');
  if (values.function !== undefined && !full) {
    throw new Error('--function calls an Edge Function as the functional check\'s user: add --full');
  }
  if (values['function-body'] !== undefined && values.function === undefined) {
    throw new Error('--function-body is the body for --function <name>: add it');
  }
  // The name becomes a path segment of /functions/v1/<name>: the characters of function names only.
  if (values.function !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(values.function)) {
    throw new Error(`--function must be a function name ([A-Za-z0-9_-]), got '${values.function}'`);
  }
  let functionBody: unknown;
  if (values['function-body'] !== undefined) {
    try {
      functionBody = JSON.parse(values['function-body']);
    } catch (error) {
      throw new Error(`--function-body must be JSON: ${(error as Error).message}`);
    }
  }
  return {
    stack: values.stack,
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    timeoutMs: timeout * 1000,
    full,
    ...(values.function !== undefined ? { functionName: values.function } : {}),
    ...(functionBody !== undefined ? { functionBody } : {}),
  };
}

/** What the tests replace: where the functional check's bundle is. */
export interface MainOverrides {
  /** Default: assets/supabase/smoke-test/full/bundle/index.js, three folders above this file's. */
  readonly fullBundlePath?: string;
}

/** The command; gives the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void, overrides: MainOverrides = {}): Promise<number> {
  let options: Options | undefined;
  let outputs: SupabaseOutputs;
  let anonKey: string;
  let serviceRoleKey = '';
  let fullCheck: FullCheckModule | undefined;
  try {
    options = parseArgs(argv, env);
    if (!options) {
      print(USAGE);
      return 0;
    }
    if (options.full) {
      // Before anything else: a missing bundle is found without touching AWS.
      fullCheck = loadFullCheck(overrides.fullBundlePath ?? fullBundlePath());
    }
    const region = options.region ? ['--region', options.region] : [];
    outputs = findSupabaseOutputs(options.stack, await describeStackOutputs(options.stack, options.region, env));
    const keys = await readKeys(outputs, options.full, region, env);
    anonKey = keys.client;
    serviceRoleKey = keys.service;
  } catch (error) {
    print(`supabase-on-aws-smoke-test: ${(error as Error).message}`);
    return 2;
  }
  if (outputs.signingKeysSecretArn) {
    print('With the publishable key (the deployment has signing keys).');
  }
  const results = await runSmokeTest(outputs.apiUrl, anonKey, options.timeoutMs);
  print(formatReport(outputs.apiUrl, results));
  const healthy = results.every((r) => r.passed);
  if (!fullCheck) {
    return healthy ? 0 : 1;
  }
  print('');
  let functional: boolean;
  try {
    functional = await fullCheck.runFullCheck({
      apiUrl: outputs.apiUrl,
      anonKey,
      serviceRoleKey,
      distributionDomainName: outputs.distributionDomainName,
      functionName: options.functionName,
      functionBody: options.functionBody,
      timeoutMs: options.timeoutMs,
      print,
    });
  } catch (error) {
    // Not a verdict on the deployment: the check itself broke (its steps catch everything the deployment does).
    print(`supabase-on-aws-smoke-test: the functional check stopped: ${redact(String((error as Error)?.message ?? error), {
      'anon key': anonKey, 'service key': serviceRoleKey,
    }, 500)}`);
    return 2;
  }
  return healthy && functional ? 0 : 1;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  void main(argv, process.env, (line) => console.log(line)).then((code) => {
    process.exitCode = code;
    if (argv.includes('--full')) {
      // supabase-js leaves timers behind (Realtime's disconnect waits up to 10 s on one it never clears): do not wait.
      process.exit(code);
    }
  });
}
