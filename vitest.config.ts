import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium';

// Both browser projects run in headless Debian Chromium, after the unit project: two cores
// shared with Chromium would slow the unit tests' timing-sensitive cases.
// A function, not a shared object: vitest writes into each project's `instances`.
const chromiumProject = () => ({
  sequence: { groupOrder: 1 },
  browser: {
    enabled: true,
    headless: true,
    provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
    instances: [{ browser: 'chromium' as const }],
  },
});

export default defineConfig({
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup/noTokensInConsole.ts'],
          environment: 'jsdom',
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        // Browser behaviour jsdom cannot be trusted with: BroadcastChannel, Web Locks and
        // document events between two clients, in headless Chromium.
        optimizeDeps: { include: ['zod/v4/mini', 'jwt-decode', '@tanstack/query-core', 'msw', 'msw/browser'] },
        test: { name: 'browser', include: ['test/browser/**/*.browser.ts'], ...chromiumProject() },
      },
      {
        // Every story in stories/ runs as a test in headless Chromium: rendered, played, and
        // checked for tokens on the page.
        plugins: [storybookTest({ configDir: '.storybook' })],
        // Bundled before the first story loads: otherwise Vite finds them mid-run, reloads
        // the page and stories fail at random.
        optimizeDeps: {
          include: [
            'react',
            'react-dom',
            'react-dom/client',
            'react/jsx-runtime',
            'react/jsx-dev-runtime',
            '@tanstack/react-query',
            '@tanstack/query-core',
            'zod/v4',
            'zod/v4/mini',
            'jwt-decode',
            'msw',
            'msw/browser',
          ],
        },
        test: { name: 'storybook', ...chromiumProject() },
      },
    ],
  },
});
