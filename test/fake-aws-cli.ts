import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A stand-in `aws` on the PATH of `env`, its working directory, and the argument lines it was called with. */
export interface FakeAwsCli {
  readonly env: NodeJS.ProcessEnv;
  /** Where the stand-in keeps its files (answers, downloadable objects). */
  readonly dir: string;
  /** Each call's arguments, one line a call; empty when it was never run. */
  readonly calls: () => string[];
}

/**
 * A stand-in AWS CLI for the package's commands (the smoke test, the replication check), first on the PATH: each
 * `"<service> <operation>"` of `answers` runs the given shell lines (with `$dir`, its directory, and `$last`, the last
 * argument, set); any other command fails as the CLI does for an unknown one. Every call's arguments are logged.
 */
export function fakeAwsCli(answers: Record<string, string>): FakeAwsCli {
  const dir = mkdtempSync(join(tmpdir(), 'fake-aws-'));
  writeFileSync(join(dir, 'aws'), [
    '#!/bin/sh',
    `dir="${dir}"`,
    'echo "$*" >> "$dir/calls.log"',
    'for last; do :; done',
    'case "$1 $2" in',
    ...Object.entries(answers).map(([command, script]) => `  "${command}") ${script} ;;`),
    '  *) echo "unknown command" >&2; exit 252 ;;',
    'esac',
  ].join('\n'));
  chmodSync(join(dir, 'aws'), 0o755);
  return {
    env: { PATH: `${dir}:/usr/bin:/bin`, AWS_REGION: 'eu-west-1' },
    dir,
    calls: () => {
      try {
        return readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
  };
}

/**
 * The smoke test's stand-in: describe-stacks answers with a SupabaseOnAws stack's outputs (`ApiUrl`,
 * `ApiKeysSecretArn`, `DistributionDomainName` when given, `SigningKeysSecretArn` with `signingKeys`), get-secret-value
 * with `secretString`.
 */
export function fakeAws(apiUrl: string, secretString: string, distribution?: string, signingKeys = false): FakeAwsCli {
  const cli = fakeAwsCli({
    'cloudformation describe-stacks': 'cat "$dir/describe.json"',
    'secretsmanager get-secret-value': 'cat "$dir/secret.txt"',
  });
  writeFileSync(join(cli.dir, 'describe.json'), JSON.stringify({
    Stacks: [{
      Outputs: [
        { OutputKey: 'SupabaseApiUrlA1B2C3D4', OutputValue: apiUrl },
        { OutputKey: 'SupabaseApiKeysSecretArnE5F60718', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf' },
        ...(distribution ? [{ OutputKey: 'SupabaseDistributionDomainName0A1B2C3D', OutputValue: distribution }] : []),
        ...(signingKeys ? [{ OutputKey: 'SupabaseSigningKeysSecretArn1A2B3C4D', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sk-AbCdEf' }] : []),
      ],
    }],
  }));
  writeFileSync(join(cli.dir, 'secret.txt'), secretString);
  return cli;
}
