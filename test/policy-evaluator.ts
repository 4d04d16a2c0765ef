/**
 * A small evaluator of resource policies (an SNS topic policy, a KMS key policy, an S3 bucket policy) and
 * identity-based policies (a role's managed policy: no principal) as AWS evaluates them for one request: an explicit Deny wins, then an Allow, otherwise the request is implicitly denied.
 * It knows the parts the library's policies use (service and account principals, wildcards in actions and
 * resources, the StringEquals, StringNotEquals, StringLike, NumericLessThan, Arn and Bool condition operators) and throws on anything else, so that a policy it cannot
 * read never passes a test by accident.
 */

/** One request against a resource policy. */
export interface PolicyRequest {
  /** The calling service's principal (`cloudwatch.amazonaws.com`), or an account's principal (`arn:aws:iam::111:root`). */
  readonly principal: { readonly service?: string; readonly aws?: string };
  readonly action: string;
  readonly resource: string;
  /** The request's condition keys (`aws:SourceAccount`, `aws:SecureTransport`, ...), as strings. */
  readonly context: Record<string, string>;
}

export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

/** What `{ Ref }`, `Fn::GetAtt` and `Fn::Join` in a synthesized policy stand for. */
export type References = Record<string, string>;

/** A synthesized value with its CloudFormation references resolved (`AWS::Partition` is `aws`). */
export function resolve(value: unknown, refs: References): any {
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs));
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Ref' in v) return v.Ref === 'AWS::Partition' ? 'aws' : refs[v.Ref] ?? `<${v.Ref}>`;
    if ('Fn::GetAtt' in v) return refs[v['Fn::GetAtt'].join('.')] ?? `<${v['Fn::GetAtt'].join('.')}>`;
    if ('Fn::Join' in v) return (resolve(v['Fn::Join'][1], refs) as string[]).join(v['Fn::Join'][0]);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, refs)]));
  }
  return value;
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value as string]);
const wildcard = (pattern: string, value: string) => new RegExp(`^${pattern.split('')
  .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`).test(value);

function principalMatches(principal: any, request: PolicyRequest): boolean {
  // An identity-based policy's statements name no principal: they apply to whoever holds the policy.
  if (principal === undefined || principal === '*') return true;
  if (principal.Service !== undefined) return request.principal.service !== undefined && list(principal.Service).includes(request.principal.service);
  if (principal.AWS !== undefined) {
    return list(principal.AWS).some((p) => p === '*' || (request.principal.aws !== undefined && p === request.principal.aws));
  }
  throw new Error(`policy evaluator: unsupported principal ${JSON.stringify(principal)}`);
}

function conditionsHold(conditions: Record<string, Record<string, unknown>> | undefined, context: Record<string, string>): boolean {
  return Object.entries(conditions ?? {}).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => {
    const actual = context[key];
    const values = list(expected);
    switch (operator) {
      case 'StringEquals':
      case 'ArnEquals':
        return actual !== undefined && values.includes(actual);
      case 'StringNotEquals':
        // A negated operator holds when the key is absent from the request.
        return actual === undefined || !values.includes(actual);
      case 'StringLike':
      case 'ArnLike':
        return actual !== undefined && values.some((v) => wildcard(v, actual));
      case 'NumericLessThan':
        return actual !== undefined && values.some((v) => Number(actual) < Number(v));
      case 'Bool':
        return actual !== undefined && values.map(String).includes(actual);
      default:
        throw new Error(`policy evaluator: unsupported condition operator ${operator}`);
    }
  }));
}

/** How AWS decides `request` under the policy document's statements. */
export function evaluate(document: { Statement: any[] }, request: PolicyRequest): PolicyDecision {
  const applies = (s: any) => {
    if (s.NotPrincipal !== undefined || s.NotAction !== undefined || s.NotResource !== undefined) {
      throw new Error(`policy evaluator: unsupported statement ${JSON.stringify(s)}`);
    }
    return principalMatches(s.Principal, request)
      && list(s.Action).some((a) => wildcard(a.toLowerCase(), request.action.toLowerCase()))
      && list(s.Resource).some((r) => wildcard(r, request.resource))
      && conditionsHold(s.Condition, request.context);
  };
  const matching = document.Statement.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return 'deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}
