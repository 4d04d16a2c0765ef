import { aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { AlarmFactory, FIVE_MINUTES, ONE_MINUTE, SPARSE, above, below } from './alarm-factory';
import { ResolvedThresholds } from './resolve-thresholds';

/** The API's alarms at the load balancer: no healthy Kong pod, the 5xx share, the p95 response time. */
export function addLoadBalancerAlarms(f: AlarmFactory, alb: elbv2.IApplicationLoadBalancer, targetGroup: elbv2.IApplicationTargetGroup | undefined,
  t: ResolvedThresholds): void {
  if (targetGroup) {
    // With no healthy target the load balancer answers 503 itself, and RequestCount (only requests with a target) is
    // not reported: the 5xx share alone cannot see a full outage. No data (no target registered at all) fires too.
    f.add('ApiUnavailable', 'Supabase API: no healthy Kong pod behind the load balancer for 3 minutes',
      targetGroup.metrics.healthyHostCount({ period: ONE_MINUTE, statistic: 'Minimum' }), 1, below, { missing: cloudwatch.TreatMissingData.BREACHING });
  }
  const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
  const errors = new cloudwatch.MathExpression({
    expression: 'FILL(elb, 0) + FILL(target, 0)',
    usingMetrics: {
      elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
      target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
    },
    period: FIVE_MINUTES,
  });
  // Missing counts as zero: 5xx without a counted request (the load balancer's own 503s) are 100 %, and quiet periods
  // are 0 %, so the alarm recovers.
  f.add('Api5xx', `Supabase API: more than ${t.api5xxPercent} % of requests answered with a 5xx`, new cloudwatch.MathExpression({
    expression: 'IF(FILL(requests, 0) > errors, 100 * errors / FILL(requests, 0), IF(errors > 0, 100, 0))',
    usingMetrics: { requests: alb.metrics.requestCount(sum), errors },
    label: '5xx (%)',
    period: FIVE_MINUTES,
  }), t.api5xxPercent, above, { missing: SPARSE });
  f.add('ApiResponseTime', `Supabase API: 95th-percentile response time above ${t.apiResponseTime.toMilliseconds()} ms`,
    alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p95' }), t.apiResponseTime.toMilliseconds() / 1000, above, { missing: SPARSE });
}
