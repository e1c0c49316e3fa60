import type { Preview } from '@storybook/react-vite';
import type {} from 'msw-storybook-addon/types';
import { DemoProviders } from '../stories/demo/DemoProviders';
import { createDemoEnvironment } from '../stories/support/environment';
import '../stories/support/storyContext';
import { assertNoTokenInPage } from '../stories/support/tokenLeak';

const preview: Preview = {
  // DemoApp's `top` slot is filled by stories (the timeline), not from the Controls panel.
  argTypes: { top: { table: { disable: true } } },
  parameters: {
    layout: 'fullscreen',
    options: { storySort: { order: ['Login', 'Session', 'Profile', 'Token lifecycle'] } },
    // A phone held upright; a story picks it with `globals: { viewport: { value: 'phone' } }`,
    // and the Vitest addon then runs that story's test at this size.
    viewport: { options: { phone: { name: 'Phone (390 × 844)', styles: { width: '390px', height: '844px' }, type: 'mobile' } } },
  },
  // Every story gets a world of its own: a fake server (the same contract handlers the unit
  // tests use, served by msw's service worker), a client and a query cache. Nothing leaks
  // from one story into the next.
  async beforeEach(context) {
    const environment = createDemoEnvironment(context.parameters.demo);
    context.msw.use(...environment.handlers);
    context.demo = await environment.prepare();
    return () => environment.destroy();
  },
  decorators: [
    (Story, { demo }) => (
      <DemoProviders
        client={demo.client}
        queryClient={demo.queryClient}
        strict={demo.strict}
        clock={demo.clock}
        testClock={demo.testClock}
        control={demo.control}
        startedAt={demo.startedAt}
        timeline={demo.timeline}
      >
        <Story />
      </DemoProviders>
    ),
  ],
  // Whatever a story shows, it never shows a token.
  afterEach({ canvasElement, demo }) {
    const snapshot = demo.client.getSnapshot();
    assertNoTokenInPage(canvasElement.ownerDocument.body, snapshot.status === 'authenticated' ? [snapshot.accessToken] : []);
  },
};

export default preview;
