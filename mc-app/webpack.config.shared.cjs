/**
 * Webpack settings both mc-scripts configs share. The Mappings page validates
 * with the back end's own schema, core/src/domain/mapping-config.ts: that
 * folder is compiled like the app's sources, and what its files import (zod,
 * and the helpers Babel adds to them) resolves from this app's node_modules,
 * so the bundle holds one copy of each and the build works where Connect
 * installs only this folder's dependencies.
 */
const path = require('node:path');

const coreDomain = path.resolve(__dirname, '../core/src/domain');
const sourceFolders = [path.resolve(__dirname, 'src'), coreDomain];

function withSharedSettings(config) {
  config.module.rules.push({ include: coreDomain, resolve: { modules: [path.resolve(__dirname, 'node_modules')] } });
  return config;
}

module.exports = { sourceFolders, withSharedSettings };
