import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PORTS } from '../../private/ports';
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from '../private/service';

export interface LoadBalancerChartProps {
  readonly namespace: string;
  /** Kong's Service name. */
  readonly kongServiceName: string;
  /** The ARN of the load balancer's target group, created by CloudFormation. */
  readonly targetGroupArn: string;
}

/**
 * Kong behind the load balancer that CloudFormation owns: a TargetGroupBinding (AWS Load Balancer Controller,
 * `elbv2.k8s.aws/v1beta1`) that keeps the target group's IP targets equal to the ready pods of Kong's Service.
 */
export class LoadBalancerChart extends Chart {
  constructor(scope: Construct, id: string, props: LoadBalancerChartProps) {
    super(scope, id, { namespace: props.namespace, labels: { [PART_OF_LABEL]: PART_OF } });
    new ApiObject(this, 'kong-target-group', {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'kong', labels: { [NAME_LABEL]: 'kong' } },
      spec: {
        serviceRef: { name: props.kongServiceName, port: PORTS.kong },
        targetGroupARN: props.targetGroupArn,
        targetType: 'ip',
      },
    });
  }
}
