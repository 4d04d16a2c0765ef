import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

describe('SupabaseWorkloads', () => {
  const { stack, workloads, ...parts } = buildWorkloads();
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, any>;
  const logicalId = (c: { node: { defaultChild?: unknown } } & object) => stack.getLogicalId((c as any).node.defaultChild);

  test('applies one manifest per chart through the cluster\'s kubectl handler', () => {
    expect(workloads.manifests.map((m) => m.node.id)).toEqual(
      ['Namespace', 'Secrets', 'Kong', 'Auth', 'Rest', 'Realtime', 'Storage', 'Imgproxy', 'Meta', 'Studio', 'LoadBalancer']);
    for (const manifest of workloads.manifests) {
      expect(resources[logicalId(manifest)].Type).toBe(MANIFEST);
    }
  });

  test('orders the charts after what they need', () => {
    const dependsOn = (id: string) => resources[logicalId(workloads.manifests.find((m) => m.node.id === id)!)].DependsOn as string[];
    const byPrefix = (prefix: string) => Object.keys(resources).filter((k) => k.startsWith(prefix));
    expect(dependsOn('Secrets')).toEqual(expect.arrayContaining([...byPrefix('ClusterExternalSecretsChart'), logicalId(workloads.manifests[0])]));
    for (const id of ['Kong', 'Auth', 'Rest', 'Realtime', 'Storage', 'Meta', 'Studio']) {
      expect(dependsOn(id)).toEqual(expect.arrayContaining([...byPrefix('DatabaseBootstrap').filter((k) => resources[k].Type === 'Custom::SupabaseBootstrap'), logicalId(workloads.manifests[1])]));
    }
    expect(dependsOn('LoadBalancer')).toEqual(expect.arrayContaining([...byPrefix('ClusterAlbControllerChart'), logicalId(workloads.manifests[2])]));
  });

  test('the Storage API\'s service account has an IRSA role, in the cluster\'s scope, that may read and write the bucket', () => {
    expect(workloads.storageRole.node.scope).toBe(parts.cluster);
    const roleId = stack.getLogicalId(workloads.storageRole.node.defaultChild as any);
    const trust = resources[roleId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({ Action: 'sts:AssumeRoleWithWebIdentity' })]);
    const conditions = Object.values(resources).find((r) => r.Type === 'Custom::AWSCDKCfnJson'
      && JSON.stringify(r.Properties.Value).includes('system:serviceaccount:supabase:supabase-storage'));
    expect(conditions).toBeDefined();
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((ref: any) => ref.Ref === roleId));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 'kms:Decrypt', 'kms:GenerateDataKey']));
    // The bucket policy lets the role through its deny-others statement.
    const bucketPolicy = JSON.stringify(Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy')!.Properties);
    expect(bucketPolicy).toContain(roleId);
    // The ServiceAccount object is in the Storage API's manifest, annotated with the role.
    const storage = resources[logicalId(workloads.manifests.find((m) => m.node.id === 'Storage')!)];
    const manifest = JSON.stringify(storage.Properties.Manifest);
    expect(manifest).toContain('\\"kind\\":\\"ServiceAccount\\"');
    expect(manifest).toContain('eks.amazonaws.com/role-arn');
    expect(JSON.stringify(storage.Properties.Manifest['Fn::Join'] ?? storage.Properties.Manifest)).toContain(roleId);
  });

  test('External Secrets Operator may read the database\'s service logins', () => {
    const esoRole = stack.getLogicalId(workloads.node.scope!.node.findChild('Cluster').node.findChild('ExternalSecretsServiceAccount').node.findChild('Role').node.defaultChild as any);
    const statements = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((ref: any) => ref.Ref === esoRole)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const secretRefs = JSON.stringify(statements.filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue')));
    for (const login of ['Auth', 'Rest', 'Storage', 'Realtime', 'Meta']) {
      expect(secretRefs).toMatch(new RegExp(`Database${login}Secret[0-9A-F]{8}`));
    }
    expect(secretRefs).not.toMatch(/DatabaseMasterSecret|DatabaseSecret[0-9A-F]{8}"/);
  });

  test('the database admits the cluster on 5432', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', Match.objectLike({
      IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Description: 'Supabase services on the EKS cluster',
    }));
  });

  test('no manifest or ConfigMap carries a JWT, a password or a connection string with a password', () => {
    const manifests = Object.values(resources).filter((r) => r.Type === MANIFEST).map((r) => JSON.stringify(r.Properties.Manifest));
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      expect(secretLeaks(manifest)).toEqual([]);
    }
  });

  test('the leak check finds a planted JWT, password and connection string', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(secretLeaks(JSON.stringify({ data: { key: jwt } }))).toHaveLength(1);
    expect(secretLeaks(JSON.stringify({ env: [{ name: 'PG_META_DB_PASSWORD', value: 'hunter22hunter22' }] }))).toHaveLength(1);
    expect(secretLeaks('postgres://authenticator:s3cretPassw0rd@db.example.com:5432/postgres')).toHaveLength(1);
  });

  test('each manifest stays well under the kubectl handler\'s 256 KB', () => {
    const sizes = workloads.manifests.map((m) => {
      const manifest = stack.resolve(resources[logicalId(m)].Properties.Manifest);
      return [m.node.id, Buffer.byteLength(JSON.stringify(manifest))] as const;
    });
    const [largest, bytes] = [...sizes].sort((a, b) => b[1] - a[1])[0];
    // eslint-disable-next-line no-console
    console.log(`largest Supabase manifest: ${largest}, ${bytes} bytes`);
    expect(bytes).toBeLessThan(64 * 1024);
  });

  test('the charts synthesize on their own (cdk8s Testing.synth)', () => {
    for (const chart of workloads.charts) {
      expect(Testing.synth(chart).length).toBeGreaterThan(0);
    }
  });
});

describe('SupabaseWorkloads settings', () => {
  const objectsOf = (overrides: Parameters<typeof buildWorkloads>[0]) =>
    buildWorkloads(overrides).workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const env = (objects: any[], name: string) => Object.fromEntries(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)
    .spec.template.spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

  test('Auth and REST take their settings from props', () => {
    const objects = objectsOf({
      auth: { siteUrl: 'https://app.example.com', additionalRedirectUrls: ['https://a.example.com', 'https://b.example.com'], disableSignup: true, jwtExpiry: Duration.minutes(30), anonymousUsers: true },
      rest: { schemas: ['public', 'api'], maxRows: 500 },
    });
    expect(env(objects, 'auth')).toMatchObject({
      GOTRUE_SITE_URL: 'https://app.example.com',
      GOTRUE_URI_ALLOW_LIST: 'https://a.example.com,https://b.example.com',
      GOTRUE_DISABLE_SIGNUP: 'true',
      GOTRUE_JWT_EXP: '1800',
      GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED: 'true',
      API_EXTERNAL_URL: 'https://api.example.com',
    });
    expect(env(objects, 'rest')).toMatchObject({ PGRST_DB_SCHEMAS: 'public,api', PGRST_DB_MAX_ROWS: '500', PGRST_APP_SETTINGS_JWT_EXP: '1800' });
  });

  test('scaling and images are overridable; without image transformation imgproxy is not deployed', () => {
    const objects = objectsOf({
      images: { rest: 'postgrest/postgrest:v14.18' },
      scaling: { rest: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 50 }, studio: { minReplicas: 1 } },
      storageApi: { imageTransformation: false },
    });
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'rest');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(50);
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'studio').spec.replicas).toBe(1);
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'rest').spec.template.spec.containers[0].image).toBe('postgrest/postgrest:v14.18');
    expect(objects.filter((o) => o.metadata.name === 'imgproxy')).toEqual([]);
    expect(env(objects, 'storage')).toMatchObject({ ENABLE_IMAGE_TRANSFORMATION: 'false' });
    expect(env(objects, 'storage').IMGPROXY_URL).toBeUndefined();
  });
});

describe('SupabaseWorkloads with the database\'s RDS Proxy', () => {
  const { stack, workloads, ...parts } = buildWorkloads({}, buildParts(undefined, { proxy: {} }));
  const template = Template.fromStack(stack);
  const objects = workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const containerEnv = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0].env as any[];
  const envValue = (name: string, key: string) => containerEnv(name).find((e) => e.name === key);

  test('PostgREST turns prepared statements off; Storage gets the pool URL; the others keep their settings', () => {
    expect(envValue('rest', 'PGRST_DB_PREPARED_STATEMENTS')).toEqual({ name: 'PGRST_DB_PREPARED_STATEMENTS', value: 'false' });
    expect(envValue('storage', 'DATABASE_POOL_URL').valueFrom.secretKeyRef).toEqual({ name: 'supabase-db-storage', key: 'pool-url' });
    expect(envValue('storage', 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'supabase-db-storage', key: 'url' });
    const unpooled = buildWorkloads().workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
    const unpooledEnv = (name: string) => unpooled.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0].env as any[];
    expect(unpooledEnv('rest').map((e) => e.name)).not.toContain('PGRST_DB_PREPARED_STATEMENTS');
    expect(unpooledEnv('storage').map((e) => e.name)).not.toContain('DATABASE_POOL_URL');
  });

  test('the ExternalSecrets name the proxy\'s endpoint for the pooled services, from the template', () => {
    const proxyEndpoint = stack.resolve(parts.database.proxy!.endpoint);
    const secretsManifest = Object.values(template.findResources(MANIFEST))
      .find((r: any) => JSON.stringify(r.Properties.Manifest).includes('supabase-db-rest')) as any;
    const manifest = JSON.stringify(secretsManifest.Properties.Manifest);
    expect(manifest).toContain(JSON.stringify(proxyEndpoint['Fn::GetAtt']).slice(1, -1));
  });

  test('the cluster may reach the proxy on 5432, as it may the instance', () => {
    const proxyGroup = stack.getLogicalId(parts.database.node.findChild('ProxySecurityGroup').node.defaultChild as any);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => JSON.stringify(r.Properties.GroupId).includes(proxyGroup)) as any[];
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) {
      expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432 });
      expect(JSON.stringify(rule.Properties.SourceSecurityGroupId)).toMatch(/Cluster/);
    }
  });
});

describe('SupabaseWorkloads validation', () => {
  test.each([
    [{ publicUrl: 'api.example.com' }, /`publicUrl` must be an absolute http\(s\) URL, got 'api.example.com'/],
    [{ publicUrl: 'https://api.example.com/v1' }, /`publicUrl` must be the gateway's origin without a path/],
    [{ auth: { siteUrl: 'ftp://app.example.com' } }, /`auth.siteUrl` must be an absolute http\(s\) URL, got 'ftp:\/\/app.example.com'/],
    [{ images: { kong: 'kong/kong:latest' } }, /`images.kong` is 'kong\/kong:latest', which uses the moving tag latest. Pin a version, e.g. 'kong\/kong:3.9.3'/],
    [{ images: { auth: 'supabase/gotrue' } }, /`images.auth` is 'supabase\/gotrue', which has no tag/],
    [{ scaling: { rest: { minReplicas: 0 } } }, /`scaling.rest.minReplicas` must be a whole number of at least 1, got 0/],
    [{ scaling: { auth: { minReplicas: 5, maxReplicas: 3 } } }, /`scaling.auth.minReplicas` \(5\) is greater than `maxReplicas` \(3\)/],
    [{ scaling: { kong: { targetCpuUtilization: 0 } } }, /`scaling.kong.targetCpuUtilization` must be a percentage from 1 to 100, got 0/],
    [{ scaling: { kong: { targetCpuUtilization: 101 } } }, /got 101/],
    [{ scaling: { studio: { maxReplicas: 4 } } }, /`scaling.studio.maxReplicas` is set, but studio does not autoscale/],
    [{ scaling: { studio: { minReplicas: 2 } } }, /`scaling.studio.minReplicas` must be 1, got 2: studio keeps its saved SQL snippets on an EBS volume \(ReadWriteOnce\), which one pod mounts at a time/],
    [{ functions: true }, /`functions` is true but `images.functions` is not set/],
  ])('rejects %j', (overrides, message) => {
    expect(() => buildWorkloads(overrides as any)).toThrow(message);
  });

  test('accepts digests and registry ports', () => {
    expect(() => buildWorkloads({ images: { kong: 'registry.example.com:5000/kong/kong@sha256:' + 'a'.repeat(64), rest: 'registry.example.com:5000/postgrest:v14.17' } })).not.toThrow();
  });

  test('rejects an image whose only colon is a registry port', () => {
    expect(() => buildWorkloads({ images: { rest: 'registry.example.com:5000/postgrest' } })).toThrow(/has no tag/);
  });
});
