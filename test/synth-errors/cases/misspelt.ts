/**
 * Class 7: misspelt props from JavaScript: a key that is no prop is ignored, with a warning naming the nearest prop.
 * The parts' settings given to SupabaseOnAws (`networkProps`, `databaseOptions`, ...) are reported by the part.
 */
import { Duration } from 'aws-cdk-lib';
import { BadInput } from '../bad-input';
import { clusterWith, databaseWith, networkWith, secretsWith, storageWith, supabaseWith } from '../stacks';

const UNKNOWN = 'cdk-supabase-on-aws:unknown-prop';

export const MISSPELT_CASES: BadInput[] = [
  {
    construct: 'SupabaseNetwork',
    class: 'misspelt',
    prop: 'vpcCIDR',
    value: "'10.0.0.0/16'",
    build: networkWith({ vpcCIDR: '10.0.0.0/16' }),
    warning: { id: UNKNOWN, text: '`vpcCIDR` is not a prop of SupabaseNetworkProps, so it is ignored. Did you mean `vpcCidr`?' },
  },
  {
    construct: 'SupabaseCluster',
    class: 'misspelt',
    prop: 'publicAccessCidr',
    value: "['203.0.113.0/24']",
    build: clusterWith({ publicEndpoint: true, publicAccessCidr: ['203.0.113.0/24'] }),
    warning: { id: UNKNOWN, text: 'Did you mean `publicAccessCidrs`?' },
  },
  {
    construct: 'SupabaseDatabase',
    class: 'misspelt',
    prop: 'multiAZ',
    value: 'false',
    build: databaseWith({ multiAZ: false }),
    warning: { id: UNKNOWN, text: '`multiAZ` is not a prop of SupabaseDatabaseProps, so it is ignored. Did you mean `multiAz`?' },
  },
  {
    construct: 'SupabaseStorage',
    class: 'misspelt',
    prop: 'corsAllowedOrigin',
    value: "['https://app.example.com']",
    build: storageWith({ corsAllowedOrigin: ['https://app.example.com'] }),
    warning: { id: UNKNOWN, text: 'Did you mean `corsAllowedOrigins`?' },
  },
  {
    construct: 'SupabaseSecrets',
    class: 'misspelt',
    prop: 'dashboardUserName',
    value: "'admin'",
    build: secretsWith({ dashboardUserName: 'admin' }),
    warning: { id: UNKNOWN, text: 'Did you mean `dashboardUsername`?' },
  },
  {
    construct: 'SupabaseOnAws',
    class: 'misspelt',
    prop: 'observabilityOption',
    value: '{ containerInsights: false }',
    build: supabaseWith({ observabilityOption: { containerInsights: false } }),
    warning: { id: UNKNOWN, text: '`observabilityOption` is not a prop of SupabaseOnAwsProps, so it is ignored. Did you mean `observabilityOptions`?' },
  },
  {
    construct: 'SupabaseOnAws',
    class: 'misspelt',
    prop: 'auth.disableSignups',
    value: 'true',
    build: supabaseWith({ auth: { siteUrl: 'https://app.example.com', disableSignups: true } }),
    warning: { id: UNKNOWN, text: '`auth.disableSignups` is not a prop of SupabaseAuthSettings, so it is ignored. Did you mean `auth.disableSignup`?' },
  },
  {
    construct: 'SupabaseOnAws',
    class: 'misspelt',
    prop: 'databaseOptions.backupRetension',
    value: 'Duration.days(14)',
    build: (stack) => supabaseWith({ databaseOptions: { backupRetension: Duration.days(14) } })(stack),
    warning: { id: UNKNOWN, text: '`backupRetension` is not a prop of SupabaseDatabaseProps, so it is ignored. Did you mean `backupRetention`?' },
  },
];
