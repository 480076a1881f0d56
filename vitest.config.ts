import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';
import { resolve } from 'node:path';

export default defineConfig({
  plugins: [
    // Nest's dependency injection needs decorator metadata, which esbuild does not emit.
    swc.vite({ jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } }),
  ],
  resolve: {
    alias: [
      // As in dashboard/vite.config.ts: the index, or a module of contracts by name (`@suara/contracts/lists`).
      { find: /^@suara\/contracts$/, replacement: resolve(__dirname, 'contracts/src/index.ts') },
      { find: /^@suara\/contracts\/(.+)$/, replacement: resolve(__dirname, 'contracts/src/$1.ts') },
    ],
  },
  test: {
    include: ['contracts/src/**/*.spec.ts', 'services/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'dashboard/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
