import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Every Kubernetes object the stack applies through the kubectl handler, parsed from the manifests; a CloudFormation
 * token inside a string (an ARN, an endpoint) becomes `TOKEN`.
 */
export function kubernetesObjects(stack: Stack): any[] {
  const flatten = (value: any): string => (typeof value === 'string' ? value
    : value['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
  return Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .flatMap((resource: any) => JSON.parse(flatten(resource.Properties.Manifest)));
}
