/**
 * `require('pgwarden/eslint')`, for CommonJS ESLint configs (`eslint.config.cjs`). It loads the
 * plugin module with require(esm) (Node 20.19 or later); a CommonJS load cannot wait for the SQL
 * parser, so files linted before it is ready are analysed on a worker thread (worker-client.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this entry exists to be a CommonJS module
import plugin = require('./plugin.js');

export = plugin.default;
