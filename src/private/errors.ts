import { IConstruct } from 'constructs';

/**
 * A configuration error of `scope`, in the library's one style: `<construct class> <construct path>: <message>`.
 * The message names the prop, the value received and what to use instead.
 */
export function configError(scope: IConstruct, message: string): Error {
  return new Error(`${constructName(scope)}: ${message}`);
}

/** `<construct class> <construct path>`, e.g. `SupabaseDatabase Core/Database`: how messages name a construct. */
export function constructName(scope: IConstruct): string {
  return `${scope.constructor.name} ${scope.node.path}`;
}
