import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PORTS } from '../private/ports';
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from '../private/service';

export interface IngressChartProps {
  readonly namespace: string;
  /** Kong's Service. */
  readonly kongService: kplus.Service;
  /** The ACM certificate of the HTTPS listener; without it the load balancer serves HTTP only. */
  readonly certificateArn?: string;
  /** A regional AWS WAF web ACL. */
  readonly webAclArn?: string;
}

/** The load balancer's TLS policy: TLS 1.3 and 1.2 only, forward secrecy. */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * The public entry: an internet-facing Application Load Balancer made by the AWS Load Balancer Controller from an
 * Ingress of class `alb`, sending every request straight to Kong's pods (IP targets). With a certificate it
 * listens on 443 with a TLS 1.2+ policy and redirects port 80 to it; the health check asks Kong's status
 * listener whether its configuration is loaded.
 */
export class IngressChart extends Chart {
  constructor(scope: Construct, id: string, props: IngressChartProps) {
    super(scope, id, { namespace: props.namespace, labels: { [PART_OF_LABEL]: PART_OF } });
    const https = props.certificateArn !== undefined;
    const annotations: Record<string, string> = {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-port': String(PORTS.kongStatus),
      'alb.ingress.kubernetes.io/healthcheck-path': '/status/ready',
      'alb.ingress.kubernetes.io/success-codes': '200',
      // Drop malformed headers (request smuggling); Realtime's WebSockets stay open while they are used.
      'alb.ingress.kubernetes.io/load-balancer-attributes':
        'routing.http.drop_invalid_header_fields.enabled=true,idle_timeout.timeout_seconds=120',
      ...(https ? {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': props.certificateArn!,
        'alb.ingress.kubernetes.io/ssl-policy': ALB_SSL_POLICY,
      } : {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]',
      }),
      ...(props.webAclArn ? { 'alb.ingress.kubernetes.io/wafv2-acl-arn': props.webAclArn } : {}),
    };
    new kplus.Ingress(this, 'ingress', {
      metadata: { name: 'supabase', annotations, labels: { [NAME_LABEL]: 'supabase' } },
      className: 'alb',
      defaultBackend: kplus.IngressBackend.fromService(props.kongService, { port: PORTS.kong }),
    });
  }
}
