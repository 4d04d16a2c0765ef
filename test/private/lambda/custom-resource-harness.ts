/** What the custom resources' handler tests share: CloudFormation's events, and what a handler sends and logs. */

/** A CloudFormation request for the custom resource `logicalResourceId` of `resourceType`. */
export function customResourceEvent<P>(
  RequestType: 'Create' | 'Update' | 'Delete',
  resource: { logicalResourceId: string; resourceType: string; physicalResourceId: string; properties: P },
) {
  return {
    RequestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
    RequestId: 'r1',
    LogicalResourceId: resource.logicalResourceId,
    ResourceType: resource.resourceType,
    PhysicalResourceId: RequestType === 'Create' ? undefined : resource.physicalResourceId,
    ResourceProperties: { ...resource.properties, ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:f' },
  };
}

/**
 * Runs `body` with the responses to CloudFormation (the bodies `fetch` was given, each answered 200) and the log
 * lines (`console.log` and `console.error`) captured, then restores every mock.
 */
export async function capturingResponsesAndLogs(body: (bodies: string[], logs: string[]) => Promise<void>): Promise<void> {
  const bodies: string[] = [];
  const logs: string[] = [];
  const fetchMock = jest.spyOn(global, 'fetch').mockImplementation(async (_url, init) => {
    bodies.push(String(init?.body));
    return new Response(null, { status: 200 });
  });
  jest.spyOn(console, 'log').mockImplementation((...args) => { logs.push(args.join(' ')); });
  jest.spyOn(console, 'error').mockImplementation((...args) => { logs.push(args.join(' ')); });
  try {
    await body(bodies, logs);
  } finally {
    fetchMock.mockRestore();
    jest.restoreAllMocks();
  }
}
