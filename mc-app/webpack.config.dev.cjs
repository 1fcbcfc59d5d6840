const { createWebpackConfigForDevelopment } = require('@commercetools-frontend/mc-scripts/webpack');
const { sourceFolders, withSharedSettings } = require('./webpack.config.shared.cjs');

module.exports = withSharedSettings(createWebpackConfigForDevelopment({ sourceFolders }));
