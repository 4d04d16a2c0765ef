/** Writes docs/synth-errors.md from the bad-input table (test/synth-errors); the test suite checks it is current. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CASES } from '../test/synth-errors/cases';
import { synthErrorsDoc } from '../test/synth-errors/doc';

writeFileSync(join(__dirname, '../docs/synth-errors.md'), synthErrorsDoc(ALL_CASES));
