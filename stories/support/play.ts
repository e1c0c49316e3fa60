import type { StoryContext } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import type { Credentials } from '../../src';
import { DEMO_USER } from './environment';

type PlayContext = Pick<StoryContext, 'canvas' | 'userEvent'>;

export const MINUTE = 60_000;

/**
 * How long a "slow server" takes on the demo clock. Under the client's 30-second request
 * timeout, so a visitor who presses +10 s sees the answer arrive, not a timeout.
 */
export const SLOW_SERVER_MS = 10_000;

/** Types into the login form and submits it, as a person would. */
export async function submitLogin({ canvas, userEvent }: PlayContext, credentials: Credentials = DEMO_USER) {
  await userEvent.type(canvas.getByLabelText('Username'), credentials.username);
  await userEvent.type(canvas.getByLabelText('Password'), credentials.password);
  await userEvent.click(canvas.getByRole('button', { name: 'Sign in' }));
}

/** Waits until the session badge reads `label`. */
export async function expectStatus({ canvas }: Pick<StoryContext, 'canvas'>, label: 'Signed in' | 'Signed out' | 'Restoring…') {
  await waitFor(() => expect(canvas.getByTestId('status')).toHaveTextContent(label));
}

/** The alert the login form or the profile shows for an AuthError. */
export async function findAlert({ canvas }: Pick<StoryContext, 'canvas'>) {
  return canvas.findByRole('alert');
}

/** Waits for GET /auth/me to have filled the profile, so no request is in flight. */
export async function expectProfile({ canvas }: Pick<StoryContext, 'canvas'>) {
  await expect(await canvas.findByText('emily.johnson@x.example')).toBeVisible();
}

/**
 * Waits until the countdown reads `countdown` (e.g. `'in 15:00'`), then checks that the
 * expiry bar, drawn in the same render, is filled to `percent` (to half a percent).
 */
export async function expectExpiry({ canvas }: Pick<StoryContext, 'canvas'>, countdown: string, percent: number) {
  await waitFor(() => expect(canvas.getByTestId('expiry')).toHaveTextContent(countdown));
  await expect(parseFloat(canvas.getByTestId('expiry-fill').style.width)).toBeCloseTo(percent, 0);
}
