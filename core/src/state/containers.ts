/** Custom-object containers holding all of ct-crm-sync's state. */
export const containers = {
  config: "crm-sync-config",
  links: "crm-sync-links",
  checkpoints: "crm-sync-checkpoints",
  leases: "crm-sync-leases",
  failures: "crm-sync-failures",
  log: "crm-sync-log",
} as const;
