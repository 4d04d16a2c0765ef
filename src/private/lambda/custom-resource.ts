/**
 * The CloudFormation side of a Lambda-backed custom resource, without the provider framework: run the handler's
 * logic, then PUT the outcome to the pre-signed response URL. Nothing secret may go into `data` or a failure
 * reason: both are stored by CloudFormation and shown in its events.
 */

/** The request CloudFormation sends to a custom resource's Lambda function. */
export interface CustomResourceEvent<P = Record<string, unknown>> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken: string };
  readonly OldResourceProperties?: P & { readonly ServiceToken: string };
}

/** What the logic returns on success. */
export interface CustomResourceResult {
  /** The physical id; changing it on update makes CloudFormation delete the old one. @default - the current id, or the logical id on create */
  readonly physicalResourceId?: string;
  /** Non-secret attributes for `Fn::GetAtt`. */
  readonly data?: Record<string, string>;
}

/** Sends the response CloudFormation waits for. */
export async function sendResponse(
  event: CustomResourceEvent<any>,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  data?: Record<string, string>,
  reason?: string,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: (reason ?? status).slice(0, 3000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!response.ok) {
    throw new Error(`CloudFormation rejected the response: HTTP ${response.status}`);
  }
}

/**
 * Wraps custom resource logic into a Lambda handler that always answers CloudFormation, with the error's
 * message as the failure reason. The logic must not put secret values in its error messages.
 */
export function customResourceHandler<P>(logic: (event: CustomResourceEvent<P>) => Promise<CustomResourceResult>) {
  return async (event: CustomResourceEvent<P>): Promise<void> => {
    const currentId = event.PhysicalResourceId ?? event.LogicalResourceId;
    try {
      const result = await logic(event);
      await sendResponse(event, 'SUCCESS', result.physicalResourceId ?? currentId, result.data);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      console.error(`${event.RequestType} of ${event.LogicalResourceId} failed: ${message}`);
      await sendResponse(event, 'FAILED', currentId, undefined, message);
    }
  };
}
