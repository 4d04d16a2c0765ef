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

test('a default that depends on the settings is left out when it does not apply', () => {
  expect(defaultParameters({ pgCron: false, databaseName: 'supabase' })['cron.database_name']).toBeUndefined();
  expect(defaultParameters({ pgCron: true, databaseName: 'supabase' })['cron.database_name']).toBe('supabase');
});
