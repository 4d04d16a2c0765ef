import { awscdk, javascript } from 'projen';

/** The lowest aws-cdk-lib users must have: aws-eks-v2 is stable from 2.240.0, core `Validations` (cdk-nag 3) from 2.257.0. */
const MIN_CDK_VERSION = '2.257.0';
/** What this repository builds and tests against: the newest aws-cdk-lib. */
const DEV_CDK_VERSION = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-supabase-on-aws',
  description: 'Production-grade, self-hosted Supabase on AWS: VPC, private EKS, Multi-AZ RDS PostgreSQL bootstrapped for Supabase, S3 storage and Secrets Manager, as CDK constructs.',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'supabase', 'eks', 'rds', 'postgresql', 'kubernetes', 'cdk8s'],
  author: 'cdk-supabase-on-aws maintainers',
  authorAddress: 'maintainers@cdk-supabase-on-aws.dev',
  repositoryUrl: 'https://github.com/cdk-supabase-on-aws/cdk-supabase-on-aws.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.5.1',

  publishToPypi: {
    distName: 'cdk-supabase-on-aws',
    module: 'cdk_supabase_on_aws',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-supabase-on-aws/cdk-supabase-on-aws-go',
  },

  // aws-cdk-lib and constructs are peers with the minimum above; the devDependencies below are the newest.
  peerDependencyOptions: { pinnedDevDependency: false },
  // The post-deploy smoke test and the Storage replication check (Node.js built-ins and the AWS CLI only):
  // npx supabase-on-aws-smoke-test --stack <name>, npx supabase-on-aws-replication-check --stack <name>.
  bin: {
    'supabase-on-aws-smoke-test': 'lib/supabase/smoke-test/cli.js',
    'supabase-on-aws-replication-check': 'lib/storage/replication-check/cli.js',
  },
  deps: [
    // kubectl 1.36 and helm for the EKS cluster's kubectl handler (matches the default Kubernetes version).
    '@aws-cdk/lambda-layer-kubectl-v36@^2.0.1',
    'cdk8s@^2.70.106',
    'cdk8s-plus-28@^2.5.6',
  ],
  devDeps: [
    `aws-cdk-lib@${DEV_CDK_VERSION}`,
    'cdk-nag@3.0.2',
    'aws-cdk@2.1148.1',
    'tsx@^4',
    // Lambda handlers: bundled by esbuild at build time (projen's lambda support), tested as plain functions.
    'esbuild@^0.28.2',
    '@types/aws-lambda@^8.10.164',
    '@aws-sdk/client-secrets-manager@^3.1164.0',
    // The SES SMTP credential's custom resource creates and deletes the IAM access key it derives the password from.
    '@aws-sdk/client-iam@^3.1164.0',
    // The secret replication check publishes its count to CloudWatch.
    '@aws-sdk/client-cloudwatch@^3.1164.0',
    'aws-sdk-client-mock@^4.1.0',
    'jose@^6.2.18',
    'pg@^8.23.1',
    // The connection-string parser of the Storage API's node-postgres (tests of the URLs External Secrets renders).
    'pg-connection-string@^2.14.0',
    '@types/pg@^8.23.1',
    // The charts' manifests are validated against the Kubernetes and External Secrets schemas in the tests.
    'kubernetes-models@^5.1.0',
    '@kubernetes-models/external-secrets@^2.0.0',
    // The integration test runs the real postgres-meta server, the version of the pinned image, over TLS.
    '@supabase/postgres-meta@0.99.0',
    // What Studio encrypts its connection string with (x-connection-encrypted), for the same test.
    'crypto-js@^4.2.0',
    '@types/crypto-js@^4.2.2',
    // The functional check after deploying (smoke test --full) uses the client teams use; ws is its Realtime
    // transport on Node.js 20, which has no global WebSocket. Both are bundled by esbuild, never a runtime dependency.
    '@supabase/supabase-js@2.109.0',
    'ws@^8.18.3',
    '@types/ws@^8.18.1',
  ],
  // Lambda handlers are bundled by esbuild into assets/ and never loaded from lib/; jsii's CommonJS build could not
  // import the ESM-only jose anyway.
  // The same holds for the helpers only those handlers import (src/private/lambda), and for the smoke test's --full
  // check (src/supabase/smoke-test/full), bundled with supabase-js and ws (see the bundle below).
  excludeTypescript: ['src/**/*.lambda.ts', 'src/private/lambda/**', 'src/supabase/smoke-test/full/**'],
  lambdaOptions: {
    // The newest Node.js runtime of Lambda; the AWS SDK v3 it ships stays out of the bundles.
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: { externals: ['@aws-sdk/*', 'pg-native'], sourcemap: false },
  },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts'],
  },
  tsconfigDev: {
    compilerOptions: {
      // Tests import the examples, which import the library by its published name.
      paths: { 'cdk-supabase-on-aws': ['../src/index.ts'] },
    },
  },
  jestOptions: {
    // Snapshots are compared, never silently rewritten: `npx projen test:update` rewrites them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // The examples import the library by its published name, exactly as a user's app does.
      moduleNameMapper: { '^cdk-supabase-on-aws$': '<rootDir>/src/index.ts' },
      // jose is ESM-only; jest on Node 20 loads CommonJS, so ts-jest transpiles jose's JavaScript for the tests.
      // (The Lambda bundles are built by esbuild, which handles ESM itself.)
      transformIgnorePatterns: ['/node_modules/(?!jose/)'],
      testTimeout: 60_000,
      // Removes the cdk.out folders the tests' apps synthesize into (several GB a run otherwise).
      globalSetup: '<rootDir>/test/global-setup.js',
      globalTeardown: '<rootDir>/test/global-teardown.js',
    },
  },

  gitignore: ['cdk.out/', 'build/', '.bench/'],

  // This repository is developed offline; GitHub workflows and automated upgrades are not used.
  github: false,
  depsUpgrade: false,
  release: false,
});

// jose's JavaScript goes through ts-jest as well (see transformIgnorePatterns above).
const jestTransform = project.jest?.config.transform;
if (jestTransform) {
  jestTransform['^.+/node_modules/jose/.+\\.js$'] = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }];
}

// The constructs devDependency is set after construction because projen replaces it with the peer range.
project.addDevDeps('constructs@10.8.1');

// The tests run the Realtime and Kong start scripts with the tools their images carry, and the gateway's Lua in LuaJIT.
project.testTask.prependExec('scripts/ensure-system-packages.sh shell-tools pgbouncer luajit');

// Keep everything but the library out of the npm tarball.
for (const pattern of ['/examples/', '/scripts/', '/docs/', 'cdk.out/', '/build/', '/.ci/', '/.bench/', 'cdk.context.json']) {
  project.addPackageIgnore(pattern);
}

// Packaging must work offline. Stock pacmak pip-installs its Python tools from PyPI and runs `go mod tidy`
// against the Go module proxy; neither is reachable here. Generate the sources with pacmak and build the
// wheel with the system Python's setuptools and wheel instead.
project.tasks.tryFind('package:python')?.reset('scripts/ensure-system-packages.sh python-wheel');
project.tasks.tryFind('package:python')?.exec('jsii-pacmak -v --target python --code-only --outdir build/pacmak');
project.tasks.tryFind('package:python')?.exec(
  'rm -rf dist/python && /usr/bin/python3 -m pip wheel --no-build-isolation --no-deps --no-index -w dist/python build/pacmak/python',
);
project.tasks.tryFind('package:go')?.reset('rm -rf dist/go && jsii-pacmak -v --target go --code-only --outdir dist');
project.tasks.tryFind('package:go')?.exec('scripts/check-go-source.sh dist/go');
// Every build packages every language, in CI too (projen builds only JavaScript when CI is set).
project.tasks.tryFind('package')?.reset();
project.tasks.tryFind('package')?.spawn(project.tasks.tryFind('package-all')!);
// Packaging is the build's last step (projen locks the build task itself); after it, the build's output ends
// with the test runner's summary.
project.tasks.tryFind('package')?.exec('tsx scripts/test-summary.ts');

// eslint resolves the examples' `import ... from 'cdk-supabase-on-aws'` through the examples' tsconfig paths.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/resolver.typescript', {
  project: ['./tsconfig.json', './examples/tsconfig.json', './scripts/tsconfig.json'],
  alwaysTryTypes: true,
  noWarnOnMultipleProjects: true,
});

// The Lambda handlers are outside jsii's tsconfig (see excludeTypescript); eslint types them with the default project.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('parserOptions.projectService.allowDefaultProject', [
  '.projenrc.ts', 'src/*/*.lambda.ts', 'src/*/*/*.lambda.ts', 'src/private/lambda/*.ts', 'src/supabase/smoke-test/full/*.ts',
]);
// typescript-eslint types at most 8 such files by default; these are 17 (the handlers, their helpers, the smoke
// test's --full check and .projenrc.ts), with room for a few more.
project.tryFindObjectFile('.eslintrc.json')?.addOverride(
  'parserOptions.projectService.maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING', 24);
// Like the handlers, their helpers are bundled with devDependencies (the AWS SDK, jose, pg) by esbuild.
project.eslint?.allowDevDeps('src/private/lambda/**');

// The smoke test's functional check (--full) uses supabase-js, and ws as Realtime's transport on Node.js 20: esbuild
// bundles both into assets/supabase/smoke-test/full/bundle/index.js (shipped in the npm package), which the command
// (lib/supabase/smoke-test/cli.js, or src/ with tsx) loads at run time for --full only. Neither is a runtime dependency.
project.eslint?.allowDevDeps('src/supabase/smoke-test/full/**');
project.bundler.addBundle('src/supabase/smoke-test/full/bundle.ts', {
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  watchTask: false,
});

// The examples and scripts are type-checked too (tsx, which runs them, only strips types).
project.testTask.prependExec('tsc --noEmit -p examples/tsconfig.json && tsc --noEmit -p scripts/tsconfig.json');

// API.md is generated and committed; in CI a stale copy fails the build instead of being rewritten unseen.
project.postCompileTask.exec('git diff --exit-code -- API.md || (echo "API.md is stale: run npx projen build and commit it" && exit 1)', {
  condition: 'node -e "if (!process.env.CI) process.exit(1)"',
});

// The two commands of the README.
// Both synthesize the examples from the TypeScript source, which needs the Lambda bundles (assets/, git-ignored) that
// the build makes: on a fresh clone they make them first.
const bundle = project.tasks.tryFind('bundle')!;
const bench = project.addTask('bench', {
  description: 'Measures synthesis time, memory, template sizes and CloudFormation headroom of every example app against an empty baseline',
});
bench.spawn(bundle);
bench.exec('tsx scripts/bench.ts', { receiveArgs: true });

project.addTask('smoke-test', {
  description: 'Checks a deployed SupabaseOnAws through its public URL (supabase-on-aws-smoke-test): --stack <name> [--region <region>] [--full]',
  exec: 'tsx src/supabase/smoke-test/cli.ts',
  receiveArgs: true,
});

project.addTask('replication-check', {
  description: 'Checks that every object version of a replicated Storage bucket reached the other region, against its daily inventory (supabase-on-aws-replication-check): --stack <name> [--region <region>]',
  exec: 'tsx src/storage/replication-check/cli.ts',
  receiveArgs: true,
});

const synthExamples = project.addTask('synth:examples', {
  description: 'Synthesizes every app under examples/ into cdk.out/<app>/ and prints a summary per stack',
});
synthExamples.spawn(bundle);
synthExamples.exec('tsx scripts/synth-examples.ts', { receiveArgs: true });

project.synth();
