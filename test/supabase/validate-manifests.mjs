// Validates Kubernetes objects against the schemas of kubernetes-models (Kubernetes) and
// @kubernetes-models/external-secrets (External Secrets Operator). Both packages are ESM-only, so the tests run
// this file with Node instead of importing it into jest. Usage: node validate-manifests.mjs objects.json
// Prints {"validated": n, "errors": [...]} and exits 0; an object of an unknown kind is an error, never skipped.
import { readFileSync } from 'node:fs';

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
