/**
 * Where the replication inventory and the Batch Replication jobs' files go in the log bucket: shared by the
 * construct, which configures them, and the replication check, which reads them (and must not load aws-cdk-lib).
 */

/**
 * S3 writes each inventory report under `<prefix><source bucket>/<id>/<YYYY-MM-DDTHH-MMZ>/manifest.json` and its data
 * files under `.../<id>/data/` (Amazon S3 User Guide, "Locating your inventory list").
 */
export const INVENTORY_PREFIX = 'inventory/';
/** The inventory configuration's id: the report lists every object version with its replication status. */
export const INVENTORY_ID = 'ReplicationStatus';
/** Where S3 Batch Replication jobs write their generated manifests and completion reports. */
export const BATCH_REPLICATION_PREFIX = 'batch-replication/';
