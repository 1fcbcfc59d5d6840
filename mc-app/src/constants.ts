import { entryPointUriPathToPermissionKeys } from '@commercetools-frontend/application-shell/ssr';

const fromWindow =
  typeof window !== 'undefined'
    ? (window as unknown as { app?: { entryPointUriPath?: string } }).app?.entryPointUriPath
    : undefined;

/** `crm-sync`; on Connect it comes in as ENTRY_POINT_URI_PATH and lands in `window.app`. */
export const entryPointUriPath = fromWindow || 'crm-sync';

/** `{ View: 'ViewCrmSync', Manage: 'ManageCrmSync' }` */
export const PERMISSIONS = entryPointUriPathToPermissionKeys(entryPointUriPath);
