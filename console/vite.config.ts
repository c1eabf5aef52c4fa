import { defineConfig } from 'vite';

// The lifeline server serves the built files under /console/ with a strict
// Content-Security-Policy (script-src 'self'; style-src 'self'), so the build
// must produce only external script and style files: no inline code, no
// inlined assets.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev`: forward API calls to a lifeline server on this machine.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
});
