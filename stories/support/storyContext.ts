import type { DemoEnvironment, DemoParameters } from './environment';

// `.storybook/preview.tsx` builds a DemoEnvironment before each story and puts it on the
// context, the way msw-storybook-addon puts `msw` there: render and play both read it.
declare module 'storybook/internal/csf' {
  interface StoryContext {
    demo: DemoEnvironment;
  }
  interface Parameters {
    demo?: DemoParameters;
  }
}

export {};
