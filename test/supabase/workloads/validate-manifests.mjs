// Validates Kubernetes objects against the schemas of kubernetes-models (Kubernetes) and
// @kubernetes-models/external-secrets (External Secrets Operator), and TargetGroupBindings against their CRD's rules. Both packages are ESM-only, so the tests run
// this file with Node instead of importing it into jest. Usage: node validate-manifests.mjs objects.json
// Prints {"validated": n, "errors": [...]} and exits 0; an object of an unknown kind is an error, never skipped.
import { readFileSync } from 'node:fs';

/**
 * kubernetes-models has no package for the AWS Load Balancer Controller, so its TargetGroupBinding is checked here
 * against the rules of its CRD (elbv2.k8s.aws_targetgroupbindings.yaml, v1beta1): spec.serviceRef with name and
 * port required, targetType one of ip and instance, targetGroupARN or targetGroupName a string; no other spec keys
 * than the CRD's.
 */
const TARGET_GROUP_BINDING_KEYS = ['assumeRoleExternalId', 'iamRoleArnToAssume', 'ipAddressType', 'multiClusterTargetGroup', 'networking',
  'nodeSelector', 'serviceRef', 'targetGroupARN', 'targetGroupName', 'targetGroupProtocol', 'targetType', 'vpcID'];
function validateTargetGroupBinding(object) {
  const spec = object.spec ?? {};
  const problems = [];
  for (const key of Object.keys(spec)) {
    if (!TARGET_GROUP_BINDING_KEYS.includes(key)) problems.push(`spec.${key} is not a field of TargetGroupBinding`);
  }
  if (typeof spec.serviceRef?.name !== 'string') problems.push('spec.serviceRef.name is required');
  if (!['number', 'string'].includes(typeof spec.serviceRef?.port)) problems.push('spec.serviceRef.port is required');
  if (spec.targetType !== undefined && !['ip', 'instance'].includes(spec.targetType)) problems.push(`spec.targetType '${spec.targetType}' is not ip or instance`);
  if (typeof (spec.targetGroupARN ?? spec.targetGroupName) !== 'string') problems.push('spec.targetGroupARN or spec.targetGroupName is required');
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const objects = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const errors = [];
let validated = 0;
for (const object of objects) {
  const { apiVersion, kind } = object;
  const name = `${kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const group = apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`;
  const path = group.startsWith('external-secrets.io/')
    ? `@kubernetes-models/external-secrets/${apiVersion}/${kind}`
    : `kubernetes-models/${apiVersion}/${kind}`;
  if (apiVersion === 'elbv2.k8s.aws/v1beta1' && kind === 'TargetGroupBinding') {
    try {
      validateTargetGroupBinding(object);
      validated++;
    } catch (e) {
      errors.push(`${name}: ${e.message}`);
    }
    continue;
  }
  let model;
  try {
    model = (await import(path))[kind];
  } catch (e) {
    errors.push(`${name}: no schema for ${apiVersion} ${kind} (${e.message})`);
    continue;
  }
  try {
    new model(object).validate();
    validated++;
  } catch (e) {
    errors.push(`${name}: ${e.message}`);
  }
}
process.stdout.write(JSON.stringify({ validated, errors }));
