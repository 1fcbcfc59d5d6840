import { useEffect } from 'react';
import { Redirect, Route, Switch, useLocation, useRouteMatch } from 'react-router-dom';
import Spacings from '@commercetools-uikit/spacings';
import { FailureDetailPage } from './components/failures/failure-detail-page';
import { FailuresPage } from './components/failures/failures-page';
import { MappingsPage } from './components/mappings/mappings-page';
import { OperationsPage } from './components/operations/operations-page';
import { StatusPage } from './components/status/status-page';
import { forgetRequestedPage, takeRequestedPage } from './deep-link';

/** The entry point itself: the page asked for before a login (deep-link.ts), else the status page. */
function EntryRedirect({ baseUrl }: { baseUrl: string }) {
  return <Redirect to={takeRequestedPage(window.sessionStorage, baseUrl) ?? `${baseUrl}/status`} />;
}

export function ApplicationRoutes() {
  const match = useRouteMatch();
  const location = useLocation();
  const baseUrl = match.url.replace(/\/$/, '');
  const onPage = location.pathname.replace(/\/$/, '') !== baseUrl;
  useEffect(() => {
    if (onPage) forgetRequestedPage(window.sessionStorage);
  }, [onPage]);
  return (
    <Spacings.Inset scale="l">
      <Switch>
        <Route path={`${match.path}/status`}>
          <StatusPage baseUrl={baseUrl} />
        </Route>
        <Route path={`${match.path}/failures/:id`}>
          <FailureDetailPage baseUrl={baseUrl} />
        </Route>
        <Route path={`${match.path}/failures`}>
          <FailuresPage baseUrl={baseUrl} />
        </Route>
        <Route path={`${match.path}/mappings`}>
          <MappingsPage />
        </Route>
        <Route path={`${match.path}/operations`}>
          <OperationsPage />
        </Route>
        <Route>
          <EntryRedirect baseUrl={baseUrl} />
        </Route>
      </Switch>
    </Spacings.Inset>
  );
}
