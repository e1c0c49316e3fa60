import { describe, expect, it } from 'vitest';
import { MINUTE, emily, michael, setup, startMswServer } from '../harness';
import { CLAIM_WINDOW_MS } from '../../src/core/tabSync';

startMswServer();

// Two clients with the same storage key in one realm behave as two tabs: they talk over
// BroadcastChannel and share the refresh lock.
function twoTabs(ttl = 900) {
  const context = setup({ accessTokenTtl: ttl });
  const key = `tabs-${Math.random()}`;
  const a = context.makeClient({ crossTab: true, storageKey: key });
  const b = context.makeClient({ crossTab: true, storageKey: key });
  a.getSnapshot();
  b.getSnapshot();
  return { ...context, a, b };
}

async function until(check: () => boolean, flush: () => Promise<void>) {
  for (let i = 0; i < 20 && !check(); i++) await flush();
}

describe('across tabs', () => {
  it('signs the other tab in', async () => {
    const { a, b, clock } = twoTabs();
    b.subscribe(() => undefined);
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated', clock.flush);
    expect(b.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
  });

  it('signs the other tab out with reason other-tab', async () => {
    const { a, b, clock } = twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated', clock.flush);
    await a.logout();
    await until(() => b.getSnapshot().status === 'unauthenticated', clock.flush);
    expect(b.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'other-tab' });
  });

  it('refreshes once for both tabs when both deadlines fall together, and never reuses a token', async () => {
    const { a, b, clock, control } = twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated', clock.flush);
    await clock.advance(14 * MINUTE);
    await until(() => (b.getSnapshot() as { accessToken?: string }).accessToken === (a.getSnapshot() as { accessToken?: string }).accessToken, clock.flush);
    expect(control.counts().refresh).toBe(1);
    expect(control.requests().filter((r) => r.usedSpentRefreshToken)).toEqual([]);
    expect(b.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: (a.getSnapshot() as { accessToken: string }).accessToken });
  });

  it('lets the second tab adopt the tokens of the first when both start a refresh at the same instant', async () => {
    const { a, b, clock, control } = twoTabs();
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated', clock.flush);
    // Tabs open a while: a refresh right after a tab opens first hears the answers to its hello.
    await clock.advance(CLAIM_WINDOW_MS);
    await Promise.all([a.refresh(), b.refresh()]);
    expect(control.counts().refresh).toBe(1);
    expect(control.requests().filter((r) => r.usedSpentRefreshToken)).toEqual([]);
    expect(b.getSnapshot()).toMatchObject({ accessToken: (a.getSnapshot() as { accessToken: string }).accessToken });
  });

  it('switches the other tab to the new user and drops the queries of the old one', async () => {
    const { QueryClient } = await import('@tanstack/query-core');
    const { authKeys } = await import('../../src/core');
    const { a, b, clock } = twoTabs();
    const cacheB = new QueryClient();
    b.bindQueryClient(cacheB);
    await a.login(emily);
    await until(() => b.getSnapshot().status === 'authenticated', clock.flush);
    cacheB.setQueryData(authKeys.me(1), { username: 'emilys' });
    await a.login(michael);
    await until(() => (b.getSnapshot() as { user?: { username: string } }).user?.username === 'michaelw', clock.flush);
    expect(cacheB.getQueryCache().findAll({ queryKey: authKeys.all })).toEqual([]);
  });
});
