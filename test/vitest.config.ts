import { defineConfig } from 'vitest/config';

// Tests live under test/; integration suites that need PostgreSQL/Redis read DATABASE_URL / REDIS_URL and
// skip without them unless BEARING_REQUIRE_SERVICES=1 (set by CI), where a missing service fails instead.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts', 'prompts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
