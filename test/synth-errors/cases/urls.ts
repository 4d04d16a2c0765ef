/** Class 1: URLs that become an issuer, a host or a link. */
import { BadInput } from '../bad-input';
import { supabaseWith } from '../stacks';

export const URL_CASES: BadInput[] = [
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'publicUrl',
    value: "'https://api.example.com/v1'",
    build: supabaseWith({ publicUrl: 'https://api.example.com/v1' }),
    error: "must be the gateway's origin without a path",
  },
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'certificate',
    value: 'undefined',
    build: supabaseWith({ certificate: undefined }),
    warning: { id: 'cdk-supabase-on-aws:workloads-http-only', text: 'HTTP' },
  },
];
