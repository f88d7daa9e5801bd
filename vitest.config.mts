import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  // One `graphql` for everybody: type-graphql `require`s the CommonJS build, so sources must not
  // get the ES module build (graphql-js refuses a schema from "another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['api/test/**/*.test.ts', 'sheets-addon/test/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['api/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
