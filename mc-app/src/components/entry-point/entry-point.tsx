import { ApplicationShell } from '@commercetools-frontend/application-shell';
import type { ApplicationWindow } from '@commercetools-frontend/constants';
import { ApplicationRoutes } from '../../routes';

declare let window: ApplicationWindow;

/** Texts are in English in the components; the shell still wants a message loader. */
const loadMessages = async () => ({});

export function EntryPoint() {
  return (
    <ApplicationShell environment={window.app} applicationMessages={loadMessages}>
      <ApplicationRoutes />
    </ApplicationShell>
  );
}
