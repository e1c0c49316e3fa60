import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { DemoApp } from './demo/DemoApp';
import { SLOW_SERVER_MS, expectStatus, findAlert } from './support/play';

const meta = {
  title: 'Profile',
  component: DemoApp,
  parameters: { demo: { signedIn: true } },
} satisfies Meta<typeof DemoApp>;

export default meta;
type Story = StoryObj<typeof meta>;

export const MeLoading: Story = {
  name: 'Me loading',
  args: { caption: 'Signed in, and GET /auth/me is on its way: the profile shows that it is loading. (+10 s lets it answer.)' },
  // The server answers after 10 s of the demo clock, which stands still until moved.
  beforeEach: ({ demo }) => demo.control.setLatency('me', SLOW_SERVER_MS),
  play: async ({ canvas, demo }) => {
    await expect(await canvas.findByText('Loading profile…')).toBeVisible();
    // Counted when the request reaches the server, a moment after the query starts.
    await waitFor(() => expect(demo.control.counts().me).toBe(1));
  },
};

export const MeFailed: Story = {
  name: 'Me failed',
  args: { caption: 'GET /auth/me answers 500: the profile shows auth/http with a Retry button, the session stays, no retry storm.' },
  beforeEach: ({ demo }) => demo.control.failNext('me', 1, { status: 500 }),
  play: async (context) => {
    const { canvas, demo } = context;
    const alert = await findAlert(context);
    await expect(alert).toHaveTextContent('auth/http');
    await expect(alert).toHaveTextContent('HTTP 500');
    await expect(canvas.getByRole('button', { name: 'Retry' })).toBeEnabled();
    await expectStatus(context, 'Signed in');
    await expect(demo.control.counts().me).toBe(1);
  },
};
