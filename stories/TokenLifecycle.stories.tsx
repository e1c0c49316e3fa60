import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { DemoApp } from './demo/DemoApp';
import { LifecycleControls } from './demo/LifecycleControls';
import { TokenTimeline } from './demo/TokenTimeline';
import { expectExpiry, expectProfile } from './support/play';
import { expectTimelineLegible } from './support/timeline';

// 20-second access tokens: with the default one-minute leeway capped at half the lifetime,
// the client refreshes 10 s into each token, 10 s before it would expire.
const TTL_SECONDS = 20;
const SECOND = 1000;

const meta = {
  title: 'Token lifecycle',
  component: DemoApp,
  render: (args) => (
    <DemoApp
      {...args}
      top={
        <TokenTimeline>
          <LifecycleControls />
        </TokenTimeline>
      }
    />
  ),
  parameters: { demo: { signedIn: true, accessTokenTtl: TTL_SECONDS } },
} satisfies Meta<typeof DemoApp>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The kinds of the timeline's events, oldest first (the list shows the newest on top). */
function eventKinds(canvasElement: HTMLElement): string[] {
  const items = canvasElement.querySelectorAll<HTMLElement>('[aria-label="Timeline events"] li');
  return Array.from(items, (item) => item.dataset.kind ?? '').reverse();
}

export const Live: Story = {
  args: {
    caption: 'Real time, 20-second tokens: watch the client refresh each one 10 s before it expires, forever, without polling.',
  },
  parameters: { demo: { clock: 'system' } },
  // Real time: the play function only checks the start of the story; Replay checks the rest.
  play: async ({ canvas, canvasElement, demo }) => {
    await expect(await canvas.findByText(/Signed in: token #[0-9a-f]{6} issued, valid for 20 s/)).toBeVisible();
    await expect(canvas.getByText(/scheduled for \+(9|10)\.\d s, 10 s before it expires/)).toBeVisible();
    await expect(demo.control.counts().refresh).toBe(0);
    await expectTimelineLegible(canvasElement);
  },
};

export const Replay: Story = {
  args: {
    caption: 'The same lifecycle on the demo clock: +10 s steps through issue, scheduled refresh, request, rotation and expiry.',
  },
  play: async ({ canvas, canvasElement, demo }) => {
    await expectProfile({ canvas });
    await expect(await canvas.findByText(/scheduled for \+10\.0 s/)).toBeVisible();
    await expectExpiry({ canvas }, 'in 0:20', 100);
    await demo.advance(10 * SECOND);
    await expect(await canvas.findByText(/Rotated: #[0-9a-f]{6} → #[0-9a-f]{6}, valid for 20 s/)).toBeVisible();
    await expectExpiry({ canvas }, 'in 0:20', 100);
    await demo.advance(10 * SECOND);
    await expect(await canvas.findByText(/expired, 10 s after it was replaced/)).toBeVisible();
    await expectExpiry({ canvas }, 'in 0:20', 100);
    await waitFor(() =>
      expect(eventKinds(canvasElement)).toEqual([
        'server',
        'issued',
        'scheduled',
        'refresh-started',
        'server',
        'rotated',
        'scheduled',
        'expired',
        'refresh-started',
        'server',
        'rotated',
        'scheduled',
      ]),
    );
    await expect(demo.control.counts().refresh).toBe(2);
    await expect(demo.control.expiredAccessTokenRequests()).toBe(0);
    await expectTimelineLegible(canvasElement);
  },
};

export const ReplayOnAPhone: Story = {
  name: 'Replay on a phone',
  args: { caption: 'The replay at 390 px wide: fewer axis labels, one lifetime of history, every label whole.' },
  globals: { viewport: { value: 'phone', isRotated: false } },
  play: async (context) => {
    await expect(context.canvasElement.ownerDocument.documentElement.clientWidth).toBe(390);
    await Replay.play!(context);
  },
};

export const Revoked: Story = {
  args: {
    caption: 'The server revoked every session: the refresh due at +10 s is refused, and the token is drawn revoked, not replaced.',
  },
  play: async ({ canvas, canvasElement, demo }) => {
    await expectProfile({ canvas });
    demo.control.revokeAll();
    await demo.advance(10 * SECOND);
    await waitFor(() => expect(canvas.getByTestId('signed-out')).toHaveTextContent('Session ended: revoked'));
    await waitFor(() => expect(canvasElement.querySelectorAll('[data-end="revoked"]')).toHaveLength(1));
    await expect(canvasElement.querySelector('[data-end="replaced"]')).toBeNull();
    await expect(canvas.getByLabelText('Legend')).toHaveTextContent('revoked');
    await expect(demo.control.counts().refresh).toBe(1);
    await expectTimelineLegible(canvasElement);
  },
};
