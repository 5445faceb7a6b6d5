import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets and TLS handshakes on a shared 2-core machine: generous, never tight.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
