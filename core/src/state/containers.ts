/** Custom-object containers holding all of ct-crm-sync's state. */
export const containers = {
  config: "crm-sync-config",
  links: "crm-sync-links",
  checkpoints: "crm-sync-checkpoints",
  leases: "crm-sync-leases",
  failures: "crm-sync-failures",
  /** One object per connection: its active failure entries counted per direction, state and class. */
  failureCounts: "crm-sync-failure-counts",
  log: "crm-sync-log",
  /** Webhook subscriptions the service made and the secrets the CRM issued for them (read by the apps only). */
  webhooks: "crm-sync-webhooks",
  /** Operator actions started from the Merchant Center (backfill, re-sync, reconciliation), with their progress. */
  operations: "crm-sync-operations",
} as const;
