import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in AWS CLI for the smoke test's command, first on the PATH: it answers describe-stacks with a SupabaseOnAws
 * stack's outputs (`ApiUrl`, `ApiKeysSecretArn`, and `DistributionDomainName` when given) and get-secret-value with
 * `secretString`, and logs its arguments (`calls`, empty when it was never run).
 */
export function fakeAws(apiUrl: string, secretString: string, distribution?: string): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-aws-'));
  writeFileSync(join(dir, 'describe.json'), JSON.stringify({
    Stacks: [{
      Outputs: [
        { OutputKey: 'SupabaseApiUrlA1B2C3D4', OutputValue: apiUrl },
        { OutputKey: 'SupabaseApiKeysSecretArnE5F60718', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf' },
        ...(distribution ? [{ OutputKey: 'SupabaseDistributionDomainName0A1B2C3D', OutputValue: distribution }] : []),
      ],
    }],
  }));
  writeFileSync(join(dir, 'secret.txt'), secretString);
  writeFileSync(join(dir, 'aws'), [
    '#!/bin/sh',
    `echo "$*" >> "${dir}/calls.log"`,
    'case "$1 $2" in',
    `  "cloudformation describe-stacks") cat "${dir}/describe.json" ;;`,
    `  "secretsmanager get-secret-value") cat "${dir}/secret.txt" ;;`,
    '  *) echo "unknown command" >&2; exit 252 ;;',
    'esac',
  ].join('\n'));
  chmodSync(join(dir, 'aws'), 0o755);
  return {
    env: { PATH: `${dir}:/usr/bin:/bin`, AWS_REGION: 'eu-west-1' },
    calls: () => {
      try {
        return readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
  };
}
