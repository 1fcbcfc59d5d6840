/**
 * Webpack settings both mc-scripts configs share. The Mappings page validates
 * with the back end's own schema, core/src/domain/mapping-config.ts: that
 * folder is compiled like the app's sources, and `zod` resolves to the app's
 * copy, because Connect installs only this folder's dependencies.
 */
const path = require('node:path');

const sourceFolders = [path.resolve(__dirname, 'src'), path.resolve(__dirname, '../core/src/domain')];

function withSharedSettings(config) {
  config.resolve.alias = { ...config.resolve.alias, zod: path.resolve(__dirname, 'node_modules/zod') };
  return config;
}

module.exports = { sourceFolders, withSharedSettings };
