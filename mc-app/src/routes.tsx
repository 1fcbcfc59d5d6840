import { Redirect, Route, Switch, useRouteMatch } from 'react-router-dom';
import Spacings from '@commercetools-uikit/spacings';
import { FailureDetailPage } from './components/failures/failure-detail-page';
import { FailuresPage } from './components/failures/failures-page';
import { MappingsPage } from './components/mappings/mappings-page';
import { StatusPage } from './components/status/status-page';

export function ApplicationRoutes() {
  const match = useRouteMatch();
  const baseUrl = match.url.replace(/\/$/, '');
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
        <Route>
          <Redirect to={`${baseUrl}/status`} />
        </Route>
      </Switch>
    </Spacings.Inset>
  );
}
