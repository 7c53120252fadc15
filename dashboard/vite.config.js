import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the page on :5173 and forwards the API to a network on :8000.
const api = { target: 'http://localhost:8000', changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': api, '/metrics': api, '/health': api, '/prometheus': api } },
});
