import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_PARAMETERS, defaultParameters, renderDefaultParametersTable } from '../../src/rds/parameters';

const DOC = path.join(__dirname, '../../docs/database.md');
const BEGIN = '<!-- default-parameters:begin -->';
const END = '<!-- default-parameters:end -->';

test('docs/database.md shows the table the parameter group is built from', () => {
  const text = fs.readFileSync(DOC, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  expect(begin).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  // Regenerate with: npx tsx -e "console.log(require('./src/rds/parameters').renderDefaultParametersTable())"
  expect(text.slice(begin + BEGIN.length, end).trim()).toBe(renderDefaultParametersTable());
});

test('every default has a reason and a value, each name once', () => {
  const names = DEFAULT_PARAMETERS.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  for (const parameter of DEFAULT_PARAMETERS) {
    expect(parameter.reason.length).toBeGreaterThan(10);
    expect(typeof parameter.value === 'string' || parameter.shown !== undefined).toBe(true);
  }
});

test.each([
  [false, {
    'rds.logical_replication': '1',
    'rds.force_ssl': '1',
    'password_encryption': 'scram-sha-256',
    'shared_preload_libraries': 'pg_stat_statements',
    'max_replication_slots': '10',
    'max_wal_senders': '20',
    'log_min_duration_statement': '1000',
    'log_connections': '1',
  }],
  [true, {
    'rds.logical_replication': '1',
    'rds.force_ssl': '1',
    'password_encryption': 'scram-sha-256',
    'shared_preload_libraries': 'pg_stat_statements,pg_cron',
    'cron.database_name': 'supabase',
    'max_replication_slots': '10',
    'max_wal_senders': '20',
    'log_min_duration_statement': '1000',
    'log_connections': '1',
  }],
])('the defaults with pgCron %s', (pgCron, expected) => {
  const parameters = defaultParameters({ pgCron, databaseName: 'supabase' });
  expect(parameters).toEqual(expected);
  expect(Object.keys(parameters)).toEqual(Object.keys(expected));
});
