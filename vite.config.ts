import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false },
  test: {
    include: [
      'src/**/*.test.ts',
      'native-runner/**/*.test.ts',
      'shaders/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 60_000,
  },
});
