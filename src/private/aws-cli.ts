import { execFile } from 'node:child_process';

/**
 * Runs the AWS CLI with `args` (and the caller's credentials, from `env`) and gives its standard output. The
 * commands of this package (the smoke test, the replication check) use the CLI rather than an SDK, so they need no
 * runtime dependency and take the credentials, profile and region the operator already uses.
 */
export function runAws(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
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

/** One output of a CloudFormation stack, as `describe-stacks` gives it. */
export interface StackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
}

/** CDK names an output by its construct path and an 8-digit hash: `Supabase` + `ApiUrl` + `1A2B3C4D`. */
export const outputKey = (prefix: string, name: string) => new RegExp(`^${prefix}${name}(?:[0-9A-F]{8})?$`);

/** The outputs of `stack` (in `region`, or the CLI's default one). */
export async function describeStackOutputs(stack: string, region: string | undefined, env: NodeJS.ProcessEnv): Promise<StackOutput[]> {
  const described = JSON.parse(await runAws(['cloudformation', 'describe-stacks', '--stack-name', stack,
    ...(region ? ['--region', region] : []), '--output', 'json'], env));
  return described.Stacks?.[0]?.Outputs ?? [];
}
