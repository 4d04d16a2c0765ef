import { Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isKnownParameter, KNOWN_PARAMETERS } from './parameter-names';
import { configError } from '../../private/errors';
import { nearest } from '../../private/nearest';
import { WARNINGS, warn } from '../../private/warnings';

/**
 * The checks of what RDS itself refuses at deploy time: the backup and maintenance windows, the instance class, the
 * parameter names and where the instance is placed. Each skips tokens; a message names the prop, the value received
 * and what to use instead, after the construct's class and path (`configError`).
 */

/*
 * The windows, as RDS takes them (CreateDBInstance, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html):
 * PreferredBackupWindow "must be in the format hh24:mi-hh24:mi", UTC, "must not conflict with the preferred
 * maintenance window", "must be at least 30 minutes"; PreferredMaintenanceWindow "ddd:hh24:mi-ddd:hh24:mi", days
 * mon | tue | wed | thu | fri | sat | sun, UTC, "must not conflict with the preferred backup window", "must be at
 * least 30 minutes". A window may cross midnight (the backup window) or the week's end (the maintenance window).
 */
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MIN_WINDOW_MINUTES = 30;
const TIME = '([01]\\d|2[0-3]):([0-5]\\d)';
const DAY = `(${DAYS.join('|')})`;
const BACKUP_WINDOW = new RegExp(`^${TIME}-${TIME}$`);
const MAINTENANCE_WINDOW = new RegExp(`^${DAY}:${TIME}-${DAY}:${TIME}$`);

/** A window: its first minute (of the day, or of the week from Monday 00:00) and its length in minutes. */
interface Window {
  readonly start: number;
  readonly length: number;
}

/** The windows checked: the strings to pass on. */
export interface CheckedWindows {
  readonly backup: string;
  readonly maintenance: string;
}

/**
 * `preferredBackupWindow` and `preferredMaintenanceWindow` parsed: each in its form, at least 30 minutes long, and the
 * daily backup window never overlapping the weekly maintenance window.
 */
export function validateWindows(scope: IConstruct, backup: string, maintenance: string, defaults: CheckedWindows): CheckedWindows {
  const backupWindow = parseWindow(scope, 'preferredBackupWindow', backup, defaults.backup, MINUTES_PER_DAY);
  const maintenanceWindow = parseWindow(scope, 'preferredMaintenanceWindow', maintenance, defaults.maintenance, MINUTES_PER_WEEK);
  if (backupWindow && maintenanceWindow) {
    const clash = firstOverlap(backupWindow, maintenanceWindow);
    if (clash !== undefined) {
      throw configError(scope, `\`preferredBackupWindow\` '${backup}' overlaps \`preferredMaintenanceWindow\` '${maintenance}' (both cover ${DAYS[Math.floor(clash / MINUTES_PER_DAY)]} ${clock(clash % MINUTES_PER_DAY)} UTC); RDS refuses a backup window that conflicts with the maintenance window. The daily backup window must not cross the weekly one on its day: move either, e.g. '${defaults.backup}' and '${defaults.maintenance}', the defaults.`);
    }
  }
  return { backup, maintenance };
}

function parseWindow(scope: IConstruct, prop: string, value: string, example: string, period: number): Window | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  const weekly = period === MINUTES_PER_WEEK;
  const match = (weekly ? MAINTENANCE_WINDOW : BACKUP_WINDOW).exec(typeof value === 'string' ? value : '');
  if (!match) {
    throw configError(scope, `\`${prop}\` is '${value}', which is not an RDS window (UTC). Use the form '${example}' (${weekly ? 'ddd:hh24:mi-ddd:hh24:mi, days mon to sun, lower case' : 'hh24:mi-hh24:mi'}).`);
  }
  const minutes = (parts: string[]) => weekly
    ? DAYS.indexOf(parts[0]) * MINUTES_PER_DAY + Number(parts[1]) * 60 + Number(parts[2])
    : Number(parts[0]) * 60 + Number(parts[1]);
  const fields = match.slice(1);
  const start = minutes(fields.slice(0, fields.length / 2));
  const end = minutes(fields.slice(fields.length / 2));
  const length = (end - start + period) % period;
  if (length < MIN_WINDOW_MINUTES) {
    throw configError(scope, `\`${prop}\` '${value}' is ${length} minutes long; RDS needs a window of at least ${MIN_WINDOW_MINUTES} minutes. Widen it, e.g. '${example}'.`);
  }
  return { start, length };
}

/** The first minute of the week (from Monday 00:00) that both windows cover, if any. */
function firstOverlap(daily: Window, weekly: Window): number | undefined {
  const inWeekly = (minute: number) => (minute - weekly.start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK < weekly.length;
  let first: number | undefined;
  for (let day = 0; day < 7; day++) {
    for (let offset = 0; offset < daily.length; offset++) {
      const minute = (day * MINUTES_PER_DAY + daily.start + offset) % MINUTES_PER_WEEK;
      if (inWeekly(minute) && (first === undefined || minute < first)) {
        first = minute;
      }
    }
  }
  return first;
}

function clock(minuteOfDay: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}

/*
 * The DB instance class families of RDS for PostgreSQL that take PostgreSQL 15 or newer as a DB instance, from
 * "Supported DB engines for DB instance classes" (RDS User Guide,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html). Not there: db.c6gd
 * (Multi-AZ DB clusters only), db.t2, db.r4 and db.r3 (deprecated), db.x1, db.x1e, db.z1d and db.x2iezn (no
 * PostgreSQL). db.x2idn takes PostgreSQL 15 only. Regions differ: `aws rds describe-orderable-db-instance-options
 * --engine postgres --db-instance-class <class>` answers for one.
 */
const POSTGRES_FAMILIES: readonly string[] = [
  't3', 't4g',
  'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7g', 'm7i', 'm8g',
  'r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7g', 'r7i', 'r8g',
  'x2g', 'x2idn', 'x2iedn',
];
const INSTANCE_CLASS = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/;

/**
 * `instanceType` as aws-cdk-lib writes it into the template (`db.` + the type): `<family>.<size>` without a `db.` of
 * its own, and of a family RDS for PostgreSQL offers (a warning otherwise: the list above may lag behind RDS).
 */
export function validateInstanceType(scope: IConstruct, instanceType: ec2.InstanceType) {
  const name = String(instanceType);
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.startsWith('db.')) {
    const rest = name.slice(3);
    throw configError(scope, `\`instanceType\` is '${name}'; aws-cdk-lib adds the 'db.' prefix itself, so RDS would get 'db.${name}' and refuse it. Leave out the 'db.': new ec2.InstanceType('${rest}'), or ec2.InstanceType.of(ec2.InstanceClass.X, ec2.InstanceSize.Y).`);
  }
  const match = INSTANCE_CLASS.exec(name);
  if (!match) {
    throw configError(scope, `\`instanceType\` is '${name}', which is not an instance class in the form '<family>.<size>' (lower case), e.g. 't4g.medium' or 'r7g.large'. Use ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM) or new ec2.InstanceType('r7g.large').`);
  }
  if (!POSTGRES_FAMILIES.includes(match[1])) {
    const hint = nearest(match[1], POSTGRES_FAMILIES);
    warn(scope, WARNINGS.databaseInstanceFamily, `\`instanceType\` is '${name}', whose family db.${match[1]} is not one RDS for PostgreSQL lists for DB instances (${POSTGRES_FAMILIES.map((f) => `db.${f}`).join(', ')}); the deployment fails if RDS does not offer it. ${hint ? `Did you mean '${hint}.${match[2]}'? ` : ''}If RDS offers it in your region (aws rds describe-orderable-db-instance-options --engine postgres --db-instance-class db.${name}), acknowledge this warning.`);
  }
}

/** The names of `parameters` that are not known parameters of PostgreSQL or RDS: a warning each, with the nearest. */
export function validateParameterNames(scope: IConstruct, names: readonly string[]) {
  for (const name of names) {
    if (Token.isUnresolved(name) || typeof name !== 'string' || isKnownParameter(name)) {
      continue;
    }
    const hint = nearest(name, KNOWN_PARAMETERS);
    warn(scope, WARNINGS.databaseParameterUnknown, `\`parameters\` sets '${name}', which is not a parameter of PostgreSQL 15 to 18 nor of RDS's parameter groups that this library knows; RDS refuses a parameter group with an unknown name. ${hint ? `Did you mean '${hint}'? ` : ''}If the engine's parameter group has it (aws rds describe-engine-default-parameters --db-parameter-group-family postgres18), acknowledge this warning.`);
  }
}

/** Where the instance goes: `vpcSubnets` as the VPC resolves it. */
export interface PlacementSettings {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly multiAz: boolean;
  readonly proxy: boolean;
}

/*
 * RDS: "DB subnet groups must contain at least one subnet in at least two AZs in the AWS Region" (CreateDBSubnetGroup,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html; error
 * DBSubnetGroupDoesNotCoverEnoughAZs); a Multi-AZ instance puts its standby in a second zone, and RDS Proxy needs
 * "a minimum of two subnets that are in different Availability Zones" (RDS User Guide, rds-proxy-network-prereqs).
 */
export function validatePlacement(scope: IConstruct, settings: PlacementSettings) {
  const shown = describeSelection(settings.vpcSubnets);
  const isPublic = settings.vpcSubnets.subnetType === ec2.SubnetType.PUBLIC;
  const selected = isPublic ? undefined : settings.vpc.selectSubnets(settings.vpcSubnets);
  if (!selected || selected.hasPublic) {
    throw configError(scope, `\`vpcSubnets\` (${shown}) selects public subnets; the database must not sit where the internet gateway routes. Use the isolated database tier: \`network.databaseSubnets\`, or { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }.`);
  }
  const zones = selected.subnets.map((s) => s.availabilityZone);
  if (zones.some((zone) => Token.isUnresolved(zone))) {
    return;
  }
  const distinct = [...new Set(zones)];
  if (distinct.length < 2) {
    const needs = [settings.multiAz ? 'the Multi-AZ standby (`multiAz`)' : undefined, settings.proxy ? 'RDS Proxy (`proxy`)' : undefined].filter(Boolean);
    throw configError(scope, `\`vpcSubnets\` (${shown}) selects subnets in ${distinct.length} availability zone(s)${distinct.length ? ` (${distinct.join(', ')})` : ''}; RDS needs a DB subnet group covering at least two${needs.length ? `, and ${needs.join(' and ')} needs the second zone` : ''}. Select subnets in two or more zones, e.g. \`network.databaseSubnets\` of a network with \`azCount\` 2 or more.`);
  }
}

function describeSelection(selection: ec2.SubnetSelection): string {
  if (selection.subnetType) {
    return `subnetType ${selection.subnetType}`;
  }
  if (selection.subnetGroupName) {
    return `subnetGroupName '${selection.subnetGroupName}'`;
  }
  if (selection.availabilityZones) {
    return `availabilityZones ${selection.availabilityZones.join(', ')}`;
  }
  return selection.subnets ? `${selection.subnets.length} subnet(s)` : 'a selection';
}
