import { ApplicationShell } from '@commercetools-frontend/application-shell';
import type { ApplicationWindow } from '@commercetools-frontend/constants';
import { loadMessages } from '../../i18n/load-messages';
import { ApplicationRoutes } from '../../routes';

declare let window: ApplicationWindow;

/** The shell loads the message file of the user's language (English and German). */
export function EntryPoint() {
  return (
    <ApplicationShell environment={window.app} applicationMessages={loadMessages}>
      <ApplicationRoutes />
    </ApplicationShell>
  );
}
