/**
 * How a synthesized CloudWatch alarm decides, given what its metrics report: one value (or none) per period for each
 * metric, the most recent last. It follows CloudWatch's rules for what the library's alarms use: the metric or the
 * metric-math expression (`IF`, `FILL`, `+ - * /`, comparisons) per period, a datapoint missing when any metric it
 * needs is missing (unless `FILL`ed), `DatapointsToAlarm` of the last `EvaluationPeriods`, and `TreatMissingData`.
 * Anything else throws, so that an alarm it cannot read never passes a test.
 */

export type Series = (number | undefined)[];
/** What each metric reports, by metric name, one value per period (the most recent last). */
export type MetricData = Record<string, Series>;
export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

/** The alarm's state after the data (`props`: the `AWS::CloudWatch::Alarm`'s Properties, resolved). */
export function alarmState(props: any, data: MetricData): AlarmState {
  const values = alarmSeries(props, data);
  const periods: number = props.EvaluationPeriods;
  const needed: number = props.DatapointsToAlarm ?? periods;
  const window = values.slice(-periods);
  if (window.length < periods) {
    throw new Error(`alarm evaluator: ${periods} periods needed, the data has ${window.length}`);
  }
  const breaches = (v: number) => compare(props.ComparisonOperator, v, props.Threshold);
  const missing = props.TreatMissingData ?? 'missing';
  const judged = window.map((v) => {
    if (v !== undefined) return breaches(v) ? 'bad' : 'good';
    switch (missing) {
      case 'breaching': return 'bad';
      case 'notBreaching': return 'good';
      case 'missing':
      case 'ignore': return undefined;
      default: throw new Error(`alarm evaluator: unknown TreatMissingData ${missing}`);
    }
  });
  const present = judged.filter((j) => j !== undefined);
  if (present.length === 0) return 'INSUFFICIENT_DATA';
  return present.filter((j) => j === 'bad').length >= needed ? 'ALARM' : 'OK';
}

function compare(operator: string, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`alarm evaluator: unknown ComparisonOperator ${operator}`);
  }
}

/** The alarm's datapoint per period: its metric's, or its returned expression's. */
function alarmSeries(props: any, data: MetricData): Series {
  if (props.MetricName) return seriesOf(data, props.MetricName);
  const byId = new Map<string, any>((props.Metrics as any[]).map((m) => [m.Id, m]));
  const returned = (props.Metrics as any[]).filter((m) => m.ReturnData !== false);
  if (returned.length !== 1) throw new Error('alarm evaluator: exactly one returned metric expected');
  const length = Math.max(...Object.values(data).map((s) => s.length));
  const cache = new Map<string, Series>();
  const series = (id: string): Series => {
    if (!cache.has(id)) {
      const m = byId.get(id);
      if (!m) throw new Error(`alarm evaluator: unknown metric id ${id}`);
      cache.set(id, m.MetricStat ? seriesOf(data, m.MetricStat.Metric.MetricName)
        : Array.from({ length }, (_, i) => evaluateExpression(parse(m.Expression), (name) => series(name)[i])));
    }
    return cache.get(id)!;
  };
  return series(returned[0].Id);
}

function seriesOf(data: MetricData, name: string): Series {
  const s = data[name];
  if (!s) throw new Error(`alarm evaluator: no data given for metric ${name}`);
  return s;
}

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'binary'; op: string; left: Node; right: Node };

/** Parses a metric-math expression of numbers, ids, calls and binary operators. */
function parse(expression: string): Node {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),<>]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`alarm evaluator: cannot read '${expression}'`);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`alarm evaluator: '${t}' expected in '${expression}'`);
  };
  const levels = [['<', '>', '<=', '>=', '==', '!='], ['+', '-'], ['*', '/']];
  const binary = (level: number): Node => {
    if (level === levels.length) return primary();
    let left = binary(level + 1);
    while (levels[level].includes(peek())) {
      const op = next();
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
    return left;
  };
  const primary = (): Node => {
    const t = next();
    if (t === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (peek() === '(') {
      next();
      const args: Node[] = [binary(0)];
      while (peek() === ',') {
        next();
        args.push(binary(0));
      }
      expect(')');
      return { kind: 'call', name: t, args };
    }
    return { kind: 'id', name: t };
  };
  const tree = binary(0);
  if (i !== tokens.length) throw new Error(`alarm evaluator: trailing '${tokens.slice(i).join('')}' in '${expression}'`);
  return tree;
}

/** One period's value of an expression; missing when a metric it needs (not filled) is missing. */
function evaluateExpression(node: Node, value: (id: string) => number | undefined): number | undefined {
  switch (node.kind) {
    case 'number': return node.value;
    case 'id': return value(node.name);
    case 'call': {
      if (node.name === 'FILL' && node.args.length === 2) {
        return evaluateExpression(node.args[0], value) ?? evaluateExpression(node.args[1], value);
      }
      if (node.name === 'IF' && node.args.length === 3) {
        const condition = evaluateExpression(node.args[0], value);
        if (condition === undefined) return undefined;
        return evaluateExpression(condition !== 0 ? node.args[1] : node.args[2], value);
      }
      throw new Error(`alarm evaluator: unsupported function ${node.name}`);
    }
    case 'binary': {
      const l = evaluateExpression(node.left, value);
      const r = evaluateExpression(node.right, value);
      if (l === undefined || r === undefined) return undefined;
      switch (node.op) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r === 0 ? undefined : l / r;
        case '>': return l > r ? 1 : 0;
        case '<': return l < r ? 1 : 0;
        case '>=': return l >= r ? 1 : 0;
        case '<=': return l <= r ? 1 : 0;
        case '==': return l === r ? 1 : 0;
        case '!=': return l !== r ? 1 : 0;
      }
    }
  }
  throw new Error('alarm evaluator: unreachable');
}
