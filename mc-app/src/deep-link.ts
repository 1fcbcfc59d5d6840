import { entryPointUriPath } from './constants';

/**
 * A deep link (`…/crm-sync/failures?state=open`) opened without a session
 * goes through the login, which returns to the project's root and so, through
 * the shell, to the app's entry point: the page asked for is lost. The path
 * is kept in the tab's session storage before the shell starts, and the entry
 * point's redirect goes there instead of the status page. A page that renders
 * forgets it, so a later visit to the entry point lands on status again.
 */
const storageKey = `${entryPointUriPath}:requested-page`;

/** `/<project>/<entry point>/<page>...`, not the login callback. */
function isAppPage(pathname: string): boolean {
  const parts = pathname.split('/').filter(Boolean);
  return parts.length >= 3 && parts[1] === entryPointUriPath && parts[2] !== 'oidc';
}

export function rememberRequestedPage(location: Pick<Location, 'pathname' | 'search'>, storage: Storage): void {
  if (isAppPage(location.pathname)) storage.setItem(storageKey, `${location.pathname}${location.search}`);
}

export function forgetRequestedPage(storage: Storage): void {
  storage.removeItem(storageKey);
}

/** The page asked for before the login, if it is one of this app's pages under `baseUrl`; forgotten once taken. */
export function takeRequestedPage(storage: Storage, baseUrl: string): string | undefined {
  const page = storage.getItem(storageKey);
  forgetRequestedPage(storage);
  return page && page.startsWith(`${baseUrl}/`) ? page : undefined;
}
