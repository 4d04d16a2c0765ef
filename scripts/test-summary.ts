/**
 * Prints the totals of the last jest run (from the JUnit report jest-junit writes) as the build's last line,
 * so that the output of the test command ends with the test runner's summary, whatever steps followed the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const report = join(__dirname, '..', 'test-reports', 'junit.xml');
if (!existsSync(report)) {
  console.error(`test-summary: ${report} is missing; did the tests run?`);
  process.exit(1);
}
const xml = readFileSync(report, 'utf8');
const head = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? '';
const attribute = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(head)?.[1] ?? NaN);
const [tests, failures, errors] = ['tests', 'failures', 'errors'].map(attribute);
if ([tests, failures, errors].some(Number.isNaN)) {
  console.error(`test-summary: cannot read the totals in ${report}`);
  process.exit(1);
}
// The skipped count is kept per test suite only.
const skip = [...xml.matchAll(/<testsuite\b[^>]*\bskipped="(\d+)"/g)].reduce((sum, m) => sum + Number(m[1]), 0);
const failed = failures + errors;
console.log(`jest: ${tests - failed - skip} passed, ${failed} failed, ${skip} skipped`);
process.exit(failed > 0 || tests === 0 ? 1 : 0);
