import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const FIVE_MINUTES = Duration.minutes(5);
export const ONE_MINUTE = Duration.minutes(1);
export const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
export const below = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
/** Sparse metrics (published only when something happens): no data is no trouble, and lets the alarm recover. */
export const SPARSE = cloudwatch.TreatMissingData.NOT_BREACHING;

/** How an alarm evaluates: `datapoints` of the last `periods` periods beyond the threshold; no data as `missing`. */
export interface Evaluation {
  readonly periods?: number;
  readonly datapoints?: number;
  readonly missing?: cloudwatch.TreatMissingData;
}

/** Makes the alarms of one construct, each notifying `action` when it fires and when it recovers. */
export class AlarmFactory {
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(private readonly scope: Construct, private readonly action: cloudwatch.IAlarmAction) {}

  public add(id: string, description: string, metric: cloudwatch.IMetric, threshold: number,
    comparisonOperator: cloudwatch.ComparisonOperator, evaluation: Evaluation = {}): cloudwatch.Alarm {
    const periods = evaluation.periods ?? 3;
    const alarm = new cloudwatch.Alarm(this.scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: periods,
      datapointsToAlarm: evaluation.datapoints ?? periods,
      treatMissingData: evaluation.missing ?? cloudwatch.TreatMissingData.MISSING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
