/**
 * Merchant Center custom application config of ct-crm-sync.
 *
 * On Connect, ENTRY_POINT_URI_PATH, CUSTOM_APPLICATION_ID and APPLICATION_URL are
 * provided by Connect; CLOUD_IDENTIFIER and SERVICE_URL come from the app's
 * configuration (connect.yaml). Locally, scripts/with-env.mjs fills sensible
 * defaults (entry point `crm-sync`, the MC API stand-in in test/mc, the sandbox's
 * service app).
 *
 * The app never calls the commercetools API directly: everything goes through
 * `/proxy/forward-to` to our service app, which uses its own API client. So the
 * OAuth scopes only need to let the app be installed and opened; we ask for the
 * narrowest read scope and nothing to manage.
 *
 * @type {import('@commercetools-frontend/application-config').ConfigOptionsForCustomApplication}
 */
const config = {
  name: 'CRM Sync',
  entryPointUriPath: '${env:ENTRY_POINT_URI_PATH}',
  cloudIdentifier: '${env:CLOUD_IDENTIFIER}',
  // Set only locally (the MC API stand-in); otherwise the cloud identifier decides.
  ...(process.env.MC_API_URL ? { mcApiUrl: process.env.MC_API_URL } : {}),
  env: {
    development: {
      initialProjectKey: '${env:INITIAL_PROJECT_KEY}',
    },
    production: {
      applicationId: '${env:CUSTOM_APPLICATION_ID}',
      url: '${env:APPLICATION_URL}',
    },
  },
  additionalEnv: {
    serviceUrl: '${env:SERVICE_URL}',
  },
  oAuthScopes: {
    view: ['view_key_value_documents'],
    manage: [],
  },
  icon: '${path:@commercetools-frontend/assets/application-icons/rocket.svg}',
  // Menu labels live here, not in the app's message files: the Merchant Center draws the menu before the app loads.
  mainMenuLink: {
    defaultLabel: 'CRM Sync',
    labelAllLocales: [{ locale: 'de', value: 'CRM-Synchronisierung' }],
    permissions: ['ViewCrmSync'],
  },
  submenuLinks: [
    { uriPath: 'status', defaultLabel: 'Status', labelAllLocales: [{ locale: 'de', value: 'Status' }], permissions: ['ViewCrmSync'] },
    { uriPath: 'failures', defaultLabel: 'Failures', labelAllLocales: [{ locale: 'de', value: 'Fehler' }], permissions: ['ViewCrmSync'] },
    { uriPath: 'mappings', defaultLabel: 'Mappings', labelAllLocales: [{ locale: 'de', value: 'Mappings' }], permissions: ['ViewCrmSync'] },
    { uriPath: 'operations', defaultLabel: 'Operations', labelAllLocales: [{ locale: 'de', value: 'Vorgänge' }], permissions: ['ViewCrmSync'] },
  ],
};

export default config;
