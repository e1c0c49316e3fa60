import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { DemoApp } from './demo/DemoApp';
import { SLOW_SERVER_MS, expectProfile, expectStatus, findAlert, submitLogin } from './support/play';

const meta = {
  title: 'Login',
  component: DemoApp,
} satisfies Meta<typeof DemoApp>;

export default meta;
type Story = StoryObj<typeof meta>;

export const SignedOut: Story = {
  args: { caption: 'No session yet: <RequireAuth> shows its fallback, the login form, and nothing is requested.' },
  play: async ({ canvas, demo }) => {
    await expect(canvas.getByRole('form', { name: 'Sign in' })).toBeVisible();
    await expectStatus({ canvas }, 'Signed out');
    await expect(demo.control.counts()).toMatchObject({ login: 0, refresh: 0, me: 0 });
  },
};

export const Submitting: Story = {
  args: {
    caption: 'A slow server: while the login request is out, the button says so and cannot be pressed twice. (+10 s lets it answer.)',
  },
  // The server answers after 10 s of the demo clock, which stands still until moved.
  beforeEach: ({ demo }) => demo.control.setLatency('login', SLOW_SERVER_MS),
  play: async (context) => {
    const { canvas, demo } = context;
    await submitLogin(context);
    await expect(await canvas.findByRole('button', { name: /Signing in/ })).toBeDisabled();
    await expect(demo.control.counts().login).toBe(1);
    await expectStatus(context, 'Signed out');
  },
};

export const InvalidCredentials: Story = {
  args: { caption: 'A wrong password: the error code and message are shown and the form keeps what was typed.' },
  play: async (context) => {
    const { canvas, demo } = context;
    await submitLogin(context, { username: 'emilys', password: 'not-her-password' });
    const alert = await findAlert(context);
    await expect(alert).toHaveTextContent('auth/invalid_credentials');
    await expect(alert).toHaveTextContent('Invalid username or password.');
    await expect(alert).toHaveTextContent('HTTP 401');
    await expect(canvas.getByLabelText('Username')).toHaveValue('emilys');
    await expect(canvas.getByLabelText('Password')).toHaveValue('not-her-password');
    await expect(demo.control.counts().login).toBe(1);
  },
};

export const NetworkError: Story = {
  args: { caption: 'The server cannot be reached: the login fails with auth/network, not with a crash.' },
  beforeEach: ({ demo }) => demo.control.failNext('login', 1, 'network'),
  play: async (context) => {
    await submitLogin(context);
    const alert = await findAlert(context);
    await expect(alert).toHaveTextContent('auth/network');
    await expect(alert).toHaveTextContent(
      'The authentication server could not be reached; a cross-origin request blocked by CORS looks the same.',
    );
    await expectStatus(context, 'Signed out');
  },
};

export const ServerError: Story = {
  name: 'Server error 500',
  args: { caption: 'The server answers 500: the login fails with auth/http and the status.' },
  beforeEach: ({ demo }) => demo.control.failNext('login', 1, { status: 500 }),
  play: async (context) => {
    await submitLogin(context);
    const alert = await findAlert(context);
    await expect(alert).toHaveTextContent('auth/http');
    await expect(alert).toHaveTextContent('HTTP 500');
    await expectStatus(context, 'Signed out');
  },
};

export const SignedIn: Story = {
  args: { caption: 'Signed in through the form: the session, the profile from /auth/me, a token fingerprint, never the token.' },
  play: async (context) => {
    const { canvas, demo } = context;
    await submitLogin(context);
    await expectStatus(context, 'Signed in');
    await expect(canvas.getByTestId('user-name')).toHaveTextContent('Emily Johnson');
    await expectProfile(context);
    await expect(canvas.getByTitle(/Fingerprint/)).toHaveTextContent(/^#[0-9a-f]{6}$/);
    await expect(canvas.getByTestId('expiry')).toHaveTextContent('in 15:00');
    await expect(demo.control.counts()).toMatchObject({ login: 1, me: 1, refresh: 0 });
  },
};

export const LoggedOut: Story = {
  args: { caption: 'Sign out: the session ends with reason logged-out and the login form comes back.' },
  parameters: { demo: { signedIn: true } },
  play: async (context) => {
    const { canvas, userEvent } = context;
    await expectProfile(context);
    await userEvent.click(canvas.getByRole('button', { name: 'Sign out' }));
    await expectStatus(context, 'Signed out');
    await expect(canvas.getByTestId('signed-out')).toHaveTextContent('Session ended: logged-out');
    await expect(canvas.getByRole('form', { name: 'Sign in' })).toBeVisible();
    await waitFor(() => expect(canvas.queryByRole('region', { name: 'Account' })).toBeNull());
  },
};
