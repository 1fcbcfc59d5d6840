#!/usr/bin/env node
/**
 * Runs mc-scripts with the environment custom-application-config.mjs reads.
 * On Connect these come from Connect and the app's configuration; locally the
 * defaults below point at the MC API stand-in (test/mc) and the sandbox's
 * service app. Anything already set in the environment wins.
 *
 *   node scripts/with-env.mjs build
 *   MC_API_URL=http://127.0.0.1:4100 SERVICE_URL=http://127.0.0.1:4200 node scripts/with-env.mjs compile-html:local
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const defaults = {
  ENTRY_POINT_URI_PATH: 'crm-sync',
  CLOUD_IDENTIFIER: 'gcp-eu',
  SERVICE_URL: 'http://127.0.0.1:8082',
  INITIAL_PROJECT_KEY: 'crm-sync-sandbox',
  CUSTOM_APPLICATION_ID: 'crm-sync-local',
  APPLICATION_URL: 'http://127.0.0.1:3001',
};
// Only a local run talks to the MC API stand-in; a build (Connect's) keeps the
// MC API of its cloud region, which the config derives from CLOUD_IDENTIFIER.
const localDefaults = { MC_API_URL: 'http://127.0.0.1:3002' };

const [task, ...rest] = process.argv.slice(2);
const env = { ...process.env };
const isLocal = task === 'compile-html:local' || task === 'start';
for (const [key, value] of Object.entries({ ...defaults, ...(isLocal ? localDefaults : {}) })) if (!env[key]) env[key] = value;

const tasks = {
  build: ['build'],
  'compile-html:local': [
    'compile-html',
    '--transformer',
    '@commercetools-frontend/mc-dev-authentication/transformer-local.js',
  ],
  serve: ['serve'],
  start: ['start'],
};
if (!task || !tasks[task]) {
  console.error(`usage: with-env.mjs ${Object.keys(tasks).join('|')}`);
  process.exit(2);
}
if (task === 'compile-html:local') env.MC_APP_ENV = 'development';
const require = createRequire(import.meta.url);
const bin = require.resolve('@commercetools-frontend/mc-scripts/bin/cli.js');
const result = spawnSync(process.execPath, [bin, ...tasks[task], ...rest], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
