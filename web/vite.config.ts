import { defineConfig } from 'vitest/config';

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this app needs
// (no Fast Refresh; a full reload on edit is acceptable for this UI).
export default defineConfig({
  base: '/',
  esbuild: {
    jsx: 'automatic',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // The Go backend listens here in development; same-origin in production.
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:1420',
        changeOrigin: false,
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
