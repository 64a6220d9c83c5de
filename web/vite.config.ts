// The web app's build: React, hashed file names under assets/ (served immutable), no source maps in
// the served folder. `npm run dev -w @shopstack/web` proxies /api to a running edge.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, target: 'es2022' },
  server: { proxy: { '/api': process.env.EDGE_URL ?? 'http://127.0.0.1:8080' } },
});
