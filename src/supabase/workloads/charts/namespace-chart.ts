import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from '../private/service';

export interface NamespaceChartProps {
  readonly namespace: string;
}

/**
 * The Supabase namespace and its baseline: Pod Security Standards "restricted" enforced (every Supabase image
 * runs as its own non-root user with a read-only root filesystem, no capabilities and the runtime's default
 * seccomp profile), every pod's traffic denied unless a service's own policy allows it, and DNS allowed to the
 * cluster's CoreDNS.
 */
export class NamespaceChart extends Chart {
  public readonly namespaceObject: kplus.Namespace;

  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    // No chart namespace: a Namespace is cluster-scoped, so the policies name theirs.
    super(scope, id, { labels: { [PART_OF_LABEL]: PART_OF } });
    const namespace = props.namespace;
    this.namespaceObject = new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });

    const all = kplus.Pods.all(this, 'all-pods');
    new kplus.NetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny', namespace },
      selector: all,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const coreDns = kplus.Pods.select(this, 'core-dns', {
      labels: { 'k8s-app': 'kube-dns' },
      namespaces: kplus.Namespaces.select(this, 'kube-system', { names: ['kube-system'] }),
    });
    new kplus.NetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns', namespace },
      selector: kplus.Pods.all(this, 'dns-clients'),
      egress: {
        rules: [{ peer: coreDns, ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)] }],
      },
    });
  }
}
