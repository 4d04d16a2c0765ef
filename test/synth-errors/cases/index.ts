/** Every row of the bad-input table; each area keeps its rows in its own file. */
import { BadInput } from '../bad-input';
import { ARN_CASES } from './arns';
import { DATABASE_CASES } from './database';
import { MISSPELT_CASES } from './misspelt';
import { NETWORK_CASES } from './network';
import { SERVICE_CASES } from './services';
import { TYPE_CASES } from './types';
import { URL_CASES } from './urls';

export const ALL_CASES: readonly BadInput[] = [
  ...URL_CASES,
  ...ARN_CASES,
  ...DATABASE_CASES,
  ...NETWORK_CASES,
  ...SERVICE_CASES,
  ...TYPE_CASES,
  ...MISSPELT_CASES,
];
