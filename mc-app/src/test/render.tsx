import { renderAppWithRedux, mapResourceAccessToAppliedPermissions } from '@commercetools-frontend/application-shell/test-utils';
import { PERMISSIONS } from '../constants';
import { ApplicationRoutes } from '../routes';
import { testMcApiUrl, testServiceUrl } from './fake-service';

export const projectKey = 'test-project';

/** Renders the app's routes at `/{projectKey}/crm-sync/{path}` as the shell would. */
export function renderPage(path: string, options: { canManage?: boolean } = {}) {
  const permissions = options.canManage === false ? [PERMISSIONS.View] : [PERMISSIONS.View, PERMISSIONS.Manage];
  return renderAppWithRedux(<ApplicationRoutes />, {
    route: `/${projectKey}/crm-sync/${path}`,
    environment: { entryPointUriPath: 'crm-sync', mcApiUrl: testMcApiUrl, serviceUrl: testServiceUrl } as never,
    project: { key: projectKey, allAppliedPermissions: mapResourceAccessToAppliedPermissions(permissions) } as never,
  });
}
