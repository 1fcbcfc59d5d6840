import { IntlProvider } from 'react-intl';
import { renderAppWithRedux, mapResourceAccessToAppliedPermissions } from '@commercetools-frontend/application-shell/test-utils';
import { PERMISSIONS } from '../constants';
import de from '../i18n/data/de.json';
import { ApplicationRoutes } from '../routes';
import { testMcApiUrl, testServiceUrl } from './fake-service';

export const projectKey = 'test-project';

/**
 * Renders the app's routes at `/{projectKey}/crm-sync/{path}` as the shell
 * would. English is the messages' own text; `locale: 'de'` gives the app's
 * German message file, as the shell loads it for a German user.
 */
export function renderPage(path: string, options: { canManage?: boolean; locale?: 'en' | 'de' } = {}) {
  const permissions = options.canManage === false ? [PERMISSIONS.View] : [PERMISSIONS.View, PERMISSIONS.Manage];
  const routes = options.locale === 'de' ? (
    <IntlProvider locale="de" messages={de} onError={ignoreShellTexts}>
      <ApplicationRoutes />
    </IntlProvider>
  ) : (
    <ApplicationRoutes />
  );
  return renderAppWithRedux(routes, {
    route: `/${projectKey}/crm-sync/${path}`,
    environment: { entryPointUriPath: 'crm-sync', mcApiUrl: testMcApiUrl, serviceUrl: testServiceUrl } as never,
    project: { key: projectKey, allAppliedPermissions: mapResourceAccessToAppliedPermissions(permissions) } as never,
  });
}

/** UI kit texts have no German file in tests (the shell loads them in the app); a missing app text still fails. */
function ignoreShellTexts(error: { code?: string; message: string }) {
  if (error.code === 'MISSING_TRANSLATION' && !error.message.includes('CrmSync.')) return;
  throw new Error(error.message);
}
