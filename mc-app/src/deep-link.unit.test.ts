import { beforeEach, describe, expect, it } from 'vitest';
import { forgetRequestedPage, rememberRequestedPage, takeRequestedPage } from './deep-link';

const base = '/sandbox/crm-sync';

describe('deep links through the login', () => {
  beforeEach(() => window.sessionStorage.clear());

  it('keeps a page of the app asked for before the login and gives it back once', () => {
    rememberRequestedPage({ pathname: `${base}/failures`, search: '?state=open' }, window.sessionStorage);
    expect(takeRequestedPage(window.sessionStorage, base)).toBe(`${base}/failures?state=open`);
    expect(takeRequestedPage(window.sessionStorage, base)).toBeUndefined();
  });

  it('keeps neither the entry point itself nor the login callback', () => {
    rememberRequestedPage({ pathname: base, search: '' }, window.sessionStorage);
    expect(takeRequestedPage(window.sessionStorage, base)).toBeUndefined();
    rememberRequestedPage({ pathname: `${base}/oidc/callback`, search: '' }, window.sessionStorage);
    expect(takeRequestedPage(window.sessionStorage, base)).toBeUndefined();
  });

  it('forgets the page once a page rendered, and gives back nothing outside the app', () => {
    rememberRequestedPage({ pathname: `${base}/mappings`, search: '' }, window.sessionStorage);
    forgetRequestedPage(window.sessionStorage);
    expect(takeRequestedPage(window.sessionStorage, base)).toBeUndefined();
    rememberRequestedPage({ pathname: '/other-project/crm-sync/failures', search: '' }, window.sessionStorage);
    expect(takeRequestedPage(window.sessionStorage, base)).toBeUndefined();
  });
});
