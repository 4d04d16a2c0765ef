/**
 * Reading an S3 Inventory report of a replicated bucket: which object versions reached the other region. Pure
 * functions over the report's text; the command (cli.ts) fetches the files.
 *
 * The report's layout and format are the Amazon S3 User Guide's ("Locating your inventory list", "Inventory
 * list"): under `<prefix><source bucket>/<id>/` a folder per report named by its start time
 * (`2026-12-04T01-00Z/`) holds `manifest.json`, whose `files` are gzipped CSV files with the columns of its
 * `fileSchema`, every field quoted and object keys URL-encoded.
 */

/** The replication statuses an inventory reports for an object version (empty: replication never attempted). */
export type ReplicationStatus = 'COMPLETED' | 'PENDING' | 'FAILED' | 'REPLICA' | 'NONE';

/** What the report's manifest says. */
export interface InventoryManifest {
  readonly sourceBucket: string;
  /** When S3 began to scan the bucket for the report. */
  readonly createdAt: Date;
  /** The CSV columns, in order (`Bucket`, `Key`, `VersionId`, `IsLatest`, `IsDeleteMarker`, ...). */
  readonly columns: string[];
  /** The data files' keys in the destination bucket. */
  readonly files: string[];
}

/** The versions of a report by replication status, with a few keys of those not replicated. */
export interface ReplicationTally {
  readonly versions: Record<ReplicationStatus, number>;
  /** Delete markers are listed apart: the inventory does not show whether one was replicated. */
  readonly deleteMarkers: number;
  /** Up to `sampleSize` keys (decoded) of versions FAILED or NONE. */
  readonly notReplicated: string[];
}

const REPORT_FOLDER = /\/(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z)\/$/;

/** The newest report's folder among the `CommonPrefixes` of a listing of `<prefix><bucket>/<id>/`. */
export function latestReportFolder(prefixes: string[]): string | undefined {
  return prefixes.filter((p) => REPORT_FOLDER.test(p)).sort((a, b) => (REPORT_FOLDER.exec(a)![1] < REPORT_FOLDER.exec(b)![1] ? -1 : 1)).pop();
}

/** The manifest.json of a report. */
export function parseManifest(text: string): InventoryManifest {
  let manifest: any;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`manifest.json is not JSON: ${(error as Error).message}`);
  }
  if (manifest?.fileFormat !== 'CSV') {
    throw new Error(`the inventory's format is ${manifest?.fileFormat}, not CSV: the inventory this library configures is CSV`);
  }
  const columns = String(manifest.fileSchema ?? '').split(',').map((c) => c.trim()).filter((c) => c);
  for (const required of ['Key', 'IsDeleteMarker', 'ReplicationStatus']) {
    if (!columns.includes(required)) {
      throw new Error(`the inventory has no ${required} column (its schema: ${columns.join(', ')}): it must list all versions with their replication status`);
    }
  }
  const files = (manifest.files ?? []).map((f: { key?: unknown }) => f.key).filter((k: unknown): k is string => typeof k === 'string');
  return {
    sourceBucket: String(manifest.sourceBucket ?? ''),
    createdAt: new Date(Number(manifest.creationTimestamp)),
    columns,
    files,
  };
}

/** The fields of one CSV line: each quoted, `""` an escaped quote (RFC 4180, as S3 Inventory writes them). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else {
          value += line[i++];
        }
      }
      fields.push(value);
    } else {
      const end = line.indexOf(',', i);
      fields.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end;
    }
    if (line[i] !== ',') {
      break;
    }
    i++;
  }
  return fields;
}

/** An empty tally. */
export function emptyTally(): ReplicationTally {
  return { versions: { COMPLETED: 0, PENDING: 0, FAILED: 0, REPLICA: 0, NONE: 0 }, deleteMarkers: 0, notReplicated: [] };
}

/** Adds the lines of one data file (CSV text) to `tally`. */
export function tallyLines(tally: ReplicationTally, columns: string[], csv: string, sampleSize = 10): ReplicationTally {
  const key = columns.indexOf('Key');
  const deleteMarker = columns.indexOf('IsDeleteMarker');
  const status = columns.indexOf('ReplicationStatus');
  const versions = { ...tally.versions };
  let deleteMarkers = tally.deleteMarkers;
  const notReplicated = [...tally.notReplicated];
  for (const line of csv.split(/\r?\n/)) {
    if (line.trim() === '') {
      continue;
    }
    const fields = parseCsvLine(line);
    if (fields[deleteMarker] === 'true') {
      deleteMarkers++;
      continue;
    }
    const value = (fields[status] ?? '').trim();
    const replication: ReplicationStatus = value === '' ? 'NONE' : (['COMPLETED', 'PENDING', 'FAILED', 'REPLICA'].includes(value) ? value as ReplicationStatus : 'NONE');
    versions[replication]++;
    if ((replication === 'FAILED' || replication === 'NONE') && notReplicated.length < sampleSize) {
      notReplicated.push(`${decodeKey(fields[key] ?? '')} (${replication})`);
    }
  }
  return { versions, deleteMarkers, notReplicated };
}

/** Inventory keys are URL-encoded (a space as `+`, as in a form). */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** Whether every version reached the other region: none FAILED, none never attempted. PENDING ones are in flight. */
export function allReplicated(tally: ReplicationTally): boolean {
  return tally.versions.FAILED === 0 && tally.versions.NONE === 0;
}

/** The report, line by line. */
export function formatTally(bucket: string, manifest: InventoryManifest, tally: ReplicationTally, now: Date): string[] {
  const ageHours = Math.floor((now.getTime() - manifest.createdAt.getTime()) / 3_600_000);
  const v = tally.versions;
  const lines = [
    `Inventory of ${bucket} begun ${manifest.createdAt.toISOString()} (${ageHours} h ago), ${manifest.files.length} data file(s)`,
    `  replicated (COMPLETED)            ${v.COMPLETED}`,
    `  replicas from the other site      ${v.REPLICA}`,
    `  in flight (PENDING)               ${v.PENDING}`,
    `  failed (FAILED)                   ${v.FAILED}`,
    `  never replicated (NONE)           ${v.NONE}`,
    `  delete markers (not checked)      ${tally.deleteMarkers}`,
  ];
  if (ageHours > 48) {
    lines.push(`WARNING: the newest report is ${ageHours} h old; S3 delivers one a day. Is the inventory still configured?`);
  }
  if (allReplicated(tally)) {
    lines.push(v.PENDING > 0
      ? `PASS: nothing failed or was left out; ${v.PENDING} version(s) were still in flight when the report began.`
      : 'PASS: every object version of the report reached the other region.');
  } else {
    lines.push(`FAIL: ${v.FAILED + v.NONE} version(s) did not reach the other region, e.g.:`);
    lines.push(...tally.notReplicated.map((k) => `  ${k}`));
    lines.push('Run an S3 Batch Replication job for them (docs/disaster-recovery.md), then check the next report.');
  }
  return lines;
}
