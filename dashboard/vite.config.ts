import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// In development the API runs separately (npm start); production serves dist/ from the service itself.
const api = process.env.SUARA_API ?? 'http://127.0.0.1:3000';
const contracts = fileURLToPath(new URL('../contracts/src/', import.meta.url));

export default defineConfig({
  plugins: [svelte()],
  resolve: {
    alias: [
      // Types come from the index; runtime values only from zod-free modules (`@suara/contracts/client`,
      // `/position`), because importing a schema module drags all of zod into the bundle.
      { find: /^@suara\/contracts$/, replacement: `${contracts}index.ts` },
      { find: /^@suara\/contracts\/(.+)$/, replacement: `${contracts}$1.ts` },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': api,
      '/health': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
