/**
 * Webpack settings both mc-scripts configs share. The app shares code with the
 * back end instead of copying it: core/src/domain (the mapping configuration
 * schema the Mappings page validates with) and core/src/api (the service API's
 * contract every call is parsed with). Those folders are compiled like the
 * app's sources, and what their files import (zod, and the helpers Babel adds
 * to them) resolves from this app's node_modules, so the bundle holds one copy
 * of each and the build works where Connect installs only this folder's
 * dependencies.
 */
const path = require('node:path');

const coreFolders = ['domain', 'api'].map((folder) => path.resolve(__dirname, '../core/src', folder));
const sourceFolders = [path.resolve(__dirname, 'src'), ...coreFolders];

function withSharedSettings(config) {
  config.module.rules.push({ include: coreFolders, resolve: { modules: [path.resolve(__dirname, 'node_modules')] } });
  return config;
}

module.exports = { sourceFolders, withSharedSettings };
