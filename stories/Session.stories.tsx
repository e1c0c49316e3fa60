import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { DemoApp } from './demo/DemoApp';
import { DEFAULT_STORAGE_KEY } from './support/environment';
import { MINUTE, SLOW_SERVER_MS, expectExpiry, expectProfile, expectStatus, submitLogin } from './support/play';

const meta = {
  title: 'Session',
  component: DemoApp,
  // Signed in at 09:00:00 on the demo clock with a 15-minute access token, due for refresh
  // at 09:14:00: the play functions move the clock, nobody waits.
  parameters: { demo: { signedIn: true } },
} satisfies Meta<typeof DemoApp>;

export default meta;
type Story = StoryObj<typeof meta>;

export const RestoredFromStorage: Story = {
  name: 'Restored from storage on reload',
  args: {
    caption: `A previous page load signed in with storage: 'localStorage'. This one starts signed in from it: no login request.`,
  },
  parameters: { demo: { signedIn: false, restoredFromStorage: true } },
  play: async ({ canvas, demo }) => {
    await expectStatus({ canvas }, 'Signed in');
    await expect(canvas.getByTestId('user-name')).toHaveTextContent('Emily Johnson');
    await expectProfile({ canvas });
    await expect(localStorage.getItem(DEFAULT_STORAGE_KEY)).not.toBeNull();
    await expect(demo.control.counts()).toMatchObject({ login: 0, refresh: 0, me: 1 });
  },
};

export const RefreshingInProgress: Story = {
  name: 'Refreshing in progress',
  args: {
    caption: 'At 09:14 the client refreshes ahead of expiry; the server is slow. Still signed in, with a refreshing flag. (+10 s lets it answer.)',
  },
  // The server answers after 10 s of the demo clock, which stands still until moved.
  beforeEach: ({ demo }) => demo.control.setLatency('refresh', SLOW_SERVER_MS),
  play: async ({ canvas, demo }) => {
    await expectProfile({ canvas });
    await demo.advance(14 * MINUTE);
    await expect(await canvas.findByText('Refreshing…')).toBeVisible();
    await expectStatus({ canvas }, 'Signed in');
    await expect(demo.control.counts().refresh).toBe(1);
  },
};

export const SessionRefreshed: Story = {
  name: 'Session refreshed',
  args: { caption: 'The refresh at 09:14 rotates the token: a new fingerprint and a new expiry, 09:29 instead of 09:15.' },
  play: async ({ canvas, demo }) => {
    await expectProfile({ canvas });
    const expiry = canvas.getByTestId('expiry');
    await expect(expiry).toHaveTextContent('at 09:15:00 UTC');
    await expectExpiry({ canvas }, 'in 15:00', 100);
    const before = canvas.getByTitle(/Fingerprint/).textContent;
    // A clock step: a third of the lifetime gone, a third of the bar with it.
    await demo.advance(5 * MINUTE);
    await expectExpiry({ canvas }, 'in 10:00', (100 * 2) / 3);
    await demo.advance(9 * MINUTE);
    await waitFor(() => expect(expiry).toHaveTextContent('at 09:29:00 UTC'));
    // The new token is full, as its countdown says: not measured from the old token's time.
    await expectExpiry({ canvas }, 'in 15:00', 100);
    await expect(canvas.getByTitle(/Fingerprint/).textContent).not.toBe(before);
    await expect(canvas.getByText(/1× refreshed/)).toBeVisible();
    await expect(demo.control.counts().refresh).toBe(1);
  },
};

export const RefreshRejectedExpired: Story = {
  name: 'Refresh rejected: expired',
  args: { caption: 'The refresh token lived 10 minutes: the refresh at 09:14 is rejected and the session ends as expired.' },
  parameters: { demo: { refreshTokenTtl: 10 * 60 } },
  play: async ({ canvas, demo }) => {
    await expectProfile({ canvas });
    await demo.advance(14 * MINUTE);
    await expectStatus({ canvas }, 'Signed out');
    const ended = canvas.getByTestId('signed-out');
    await expect(ended).toHaveTextContent('Session ended: expired');
    await expect(ended).toHaveTextContent('auth/refresh_rejected');
    await expect(canvas.getByRole('form', { name: 'Sign in' })).toBeVisible();
    await expect(demo.control.counts().refresh).toBe(1);
  },
};

export const RefreshRejectedRevoked: Story = {
  name: 'Refresh rejected: revoked',
  args: { caption: 'The server revoked every session (sign out everywhere): the next refresh is refused and the session ends as revoked.' },
  play: async ({ canvas, demo }) => {
    await expectProfile({ canvas });
    demo.control.revokeAll();
    await demo.advance(14 * MINUTE);
    await expectStatus({ canvas }, 'Signed out');
    const ended = canvas.getByTestId('signed-out');
    await expect(ended).toHaveTextContent('Session ended: revoked');
    await expect(ended).toHaveTextContent('auth/refresh_rejected');
    await expect(demo.control.counts().refresh).toBe(1);
  },
};

export const StrictMode: Story = {
  name: 'StrictMode',
  args: { caption: 'Under <StrictMode> effects run twice; the client still sends one login, one /me, one refresh, and arms one timer.' },
  parameters: { demo: { signedIn: false, strict: true } },
  play: async (context) => {
    const { canvas, demo } = context;
    await submitLogin(context);
    await expectProfile(context);
    await expect(demo.testClock?.pendingTimers()).toBe(1);
    await demo.advance(14 * MINUTE);
    await waitFor(() => expect(canvas.getByText(/1× refreshed/)).toBeVisible());
    await expect(demo.control.counts()).toMatchObject({ login: 1, me: 1, refresh: 1 });
  },
};
