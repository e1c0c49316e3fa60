import type { StorybookConfig } from '@storybook/react-vite';

const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  // msw-storybook-addon starts the service worker (public/mockServiceWorker.js) and hands
  // every story `context.msw`; the Vitest addon runs the stories as tests in Chromium.
  addons: ['msw-storybook-addon', '@storybook/addon-vitest'],
  staticDirs: ['../public'],
  // This machine is offline: no telemetry, no update check.
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // The sidebar is the list of login states; Storybook's own getting-started checklist
  // would push it down.
  features: { sidebarOnboardingChecklist: false, menuOnboardingChecklist: false },
  viteFinal(viteConfig) {
    const build = viteConfig.build ?? {};
    const rolldownOptions = build.rolldownOptions ?? {};
    return {
      ...viteConfig,
      build: {
        ...build,
        // Storybook's manager-sized preview bundle is expected to be large.
        chunkSizeWarningLimit: 2_000,
        rolldownOptions: {
          ...rolldownOptions,
          // 'use client' marks React Server Components boundaries; a browser-only bundle
          // drops it on purpose, so the warning for every such file is noise.
          onwarn(warning, warn) {
            if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
            warn(warning);
          },
        },
      },
    };
  },
};

export default config;
