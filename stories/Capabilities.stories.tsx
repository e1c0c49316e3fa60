import type { Meta, StoryContext, StoryObj } from '@storybook/react-vite';
import { Suspense as SuspenseBoundary } from 'react';
import { expect, waitFor } from 'storybook/test';
import { createAuthClient, type AuthClient, type AuthClientConfig, type Clock, type StorageAdapter } from '../src';
import { createAuthHandlers } from '../src/testing';
import { CapabilityPage } from './demo/CapabilityPage';
import { EventControls } from './demo/EventControls';
import { EventLog } from './demo/EventLog';
import { ServerRenderedSession } from './demo/ServerRenderedSession';
import { SessionPanel } from './demo/SessionPanel';
import { RestoringFallback, SuspenseProfile } from './demo/SuspenseProfile';
import { TodosPanel } from './demo/TodosPanel';
import { DEMO_USER, type DemoEnvironment } from './support/environment';
import { expectStatus } from './support/play';
import { assertNoTokenInPage } from './support/tokenLeak';

const EMAIL = 'emily.johnson@x.example';

// An async storage (IndexedDB, React Native's AsyncStorage) that takes a second of the demo
// clock to answer: the Suspense fallback stays until the play function (or +1 s) moves it.
const STORAGE_DELAY_MS = 1_000;

const meta = {
  title: 'Capabilities',
  component: CapabilityPage,
} satisfies Meta<typeof CapabilityPage>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The options every client of these stories shares; `storageKey` is unique, like the environment's (it names the refresh lock). */
function baseConfig(context: Pick<StoryContext, 'demo'>, purpose: string): AuthClientConfig {
  return {
    baseUrl: '',
    clock: context.demo.clock,
    crossTab: false,
    storageKey: `authloop.capabilities.${purpose}.${Date.now().toString(36)}`,
  };
}

/**
 * Puts `client` (and, when given, its own fake server) in place of the environment's, so the
 * providers, the server panel, the play function and the token check all see the story's.
 */
function installClient(context: Pick<StoryContext, 'demo'>, client: AuthClient, server?: Pick<DemoEnvironment, 'control' | 'handlers'>) {
  context.demo = { ...context.demo, client, ...server };
  return () => client.destroy();
}

/** A synchronous storage adapter over `entries`. */
function createMapStorage(entries: Map<string, string>): StorageAdapter {
  return {
    get: (key) => entries.get(key) ?? null,
    set: (key, value) => void entries.set(key, value),
    remove: (key) => void entries.delete(key),
  };
}

/** The same entries behind an async `get` that answers `delayMs` later on `clock`. */
function createSlowStorage(clock: Clock, delayMs: number, entries: Map<string, string>): StorageAdapter {
  const storage = createMapStorage(entries);
  return { ...storage, get: (key) => new Promise((resolve) => clock.setTimeout(() => resolve(storage.get(key)), delayMs)) };
}

/** The kinds of the event log's entries, oldest first. */
function loggedEvents(canvasElement: HTMLElement): string[] {
  const items = canvasElement.querySelectorAll<HTMLElement>('[aria-label="Auth events"] li');
  return Array.from(items, (item) => item.dataset.kind ?? '');
}

export const InitialSession: Story = {
  name: 'Initial session',
  args: {
    caption:
      'A server render read the cookie session: initialSession starts the page signed in as Emily, no loading state, no token. The first token comes from one refresh through the HttpOnly cookie.',
  },
  render: (args) => (
    <CapabilityPage {...args}>
      <ServerRenderedSession />
      <TodosPanel />
    </CapabilityPage>
  ),
  beforeEach: async (context) => {
    const { clock } = context.demo;
    // The server keeps the refresh token in an HttpOnly cookie and reads it only from there.
    const { handlers, control } = createAuthHandlers({ baseUrl: '', clock, refreshTokenFrom: 'cookie' });
    context.msw.use(...handlers);
    // The sign-in that made the cookie, on an earlier visit: its Set-Cookie lands in msw's
    // cookie jar, which msw reads back into every later request to /auth.
    const earlierVisit = createAuthClient({ ...baseConfig(context, 'earlier-visit'), refreshTokenIn: 'cookie' });
    const { user } = await earlierVisit.login(DEMO_USER);
    earlierVisit.destroy();
    control.reset();
    // What the layout read from the cookie session on the server: the user, not a token.
    const client = createAuthClient({ ...baseConfig(context, 'initial-session'), refreshTokenIn: 'cookie', initialSession: { user } });
    return installClient(context, client, { control, handlers });
  },
  play: async ({ canvas, demo, userEvent }) => {
    // What a server render of this page showed: signed in, and no token in the HTML.
    await expect(demo.client.getServerSnapshot()).toMatchObject({ status: 'authenticated', accessToken: '' });
    await expect(canvas.getByTestId('rendered-statuses')).toHaveTextContent(/^authenticated$/);
    await expect(canvas.getByTestId('user-name')).toHaveTextContent('Emily Johnson');
    await expectStatus({ canvas }, 'Signed in');
    // On the paused demo clock nothing has asked for a token yet: no refresh so far.
    await expect(demo.control.counts().refresh).toBe(0);
    await userEvent.click(canvas.getByRole('button', { name: 'Call the API' }));
    const todos = await canvas.findByRole('list', { name: 'Todo list' });
    await expect(todos).toHaveTextContent("Emily's first todo");
    await expect(todos).toHaveTextContent("Emily's second todo");
    await expect(demo.control.counts()).toMatchObject({ login: 0, refresh: 1, todos: 1 });
    await expect(canvas.getByTestId('access-token')).toHaveTextContent(/^#[0-9a-f]{6}$/);
    // Never loading, never signed out, from the first render to the API's answer.
    await expect(canvas.getByTestId('rendered-statuses')).toHaveTextContent(/^authenticated$/);
  },
};

export const Suspense: Story = {
  args: {
    caption:
      'A session stored by an earlier visit in an async storage that takes a second to answer: <Suspense> shows its fallback until it is restored and /auth/me answers. (+1 s lets it answer.)',
  },
  render: (args) => (
    <CapabilityPage {...args}>
      <SuspenseBoundary fallback={<RestoringFallback />}>
        <SuspenseProfile />
      </SuspenseBoundary>
    </CapabilityPage>
  ),
  beforeEach: async (context) => {
    const { clock, control } = context.demo;
    const entries = new Map<string, string>();
    const config = baseConfig(context, 'suspense');
    // The earlier visit: it signs in, the session is written, the page goes away.
    const earlierVisit = createAuthClient({ ...config, storage: createMapStorage(entries) });
    await earlierVisit.login(DEMO_USER);
    earlierVisit.destroy();
    control.reset();
    return installClient(context, createAuthClient({ ...config, storage: createSlowStorage(clock, STORAGE_DELAY_MS, entries) }));
  },
  play: async ({ canvas, demo }) => {
    await expect(await canvas.findByTestId('suspense-fallback')).toHaveTextContent('Restoring…');
    await expect(canvas.queryByText(EMAIL)).toBeNull();
    await expect(demo.client.getSnapshot().status).toBe('loading');
    await demo.advance(STORAGE_DELAY_MS);
    await expect(await canvas.findByText(EMAIL)).toBeVisible();
    await expect(canvas.queryByTestId('suspense-fallback')).toBeNull();
    // Restored from storage: no login, no refresh, one /auth/me.
    await expect(demo.control.counts()).toMatchObject({ login: 0, refresh: 0, me: 1 });
  },
};

export const Events: Story = {
  args: {
    caption:
      'client.on(login | refresh | logout | error) feeds the log: sign in, rotate the token now, sign out. Each entry names a user, a fingerprint or a reason, never a token.',
  },
  render: (args) => (
    <CapabilityPage {...args}>
      <EventControls />
      <EventLog />
      <SessionPanel />
    </CapabilityPage>
  ),
  play: async ({ canvas, canvasElement, demo, userEvent }) => {
    // Every token the events carried, to look for on the page at the end, old ones included.
    const tokens: string[] = [];
    const stops = [
      demo.client.on('login', ({ accessToken }) => void tokens.push(accessToken)),
      demo.client.on('refresh', ({ accessToken }) => void tokens.push(accessToken)),
    ];
    try {
      await userEvent.click(canvas.getByRole('button', { name: 'Log in' }));
      await waitFor(() => expect(loggedEvents(canvasElement)).toEqual(['login']));
      await expect(canvas.getByRole('button', { name: 'Refresh now' })).toBeEnabled();
      await userEvent.click(canvas.getByRole('button', { name: 'Refresh now' }));
      await waitFor(() => expect(loggedEvents(canvasElement)).toEqual(['login', 'refresh']));
      await expect(canvas.getByRole('button', { name: 'Log out' })).toBeEnabled();
      await userEvent.click(canvas.getByRole('button', { name: 'Log out' }));
      await waitFor(() => expect(loggedEvents(canvasElement)).toEqual(['login', 'refresh', 'logout']));
      const entries = canvas.getByRole('list', { name: 'Auth events' }).querySelectorAll('li');
      await expect(entries[0]).toHaveTextContent('Emily Johnson');
      await expect(entries[2]).toHaveTextContent('reason logged-out');
      await expect(demo.control.counts()).toMatchObject({ login: 1, refresh: 1 });
      await expect(tokens).toHaveLength(2);
      assertNoTokenInPage(canvasElement.ownerDocument.body, tokens);
    } finally {
      stops.forEach((stop) => stop());
    }
  },
};
