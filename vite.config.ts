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
    // Generous on purpose: CI's machine can be slower than ours, and SwiftShader and g++ in a
    // beforeAll (a Dawn device, a harness build) scale with it. The default hook limit is 10 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
