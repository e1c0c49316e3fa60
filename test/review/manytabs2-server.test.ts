import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { setup, startMswServer } from '../harness';

startMswServer();

const EMILY = { id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson' };

async function until(check: () => boolean, flush: () => Promise<void>) {
  for (let i = 0; i < 20 && !check(); i++) await flush();
}

describe('server-rendered tabs share one login id, "server" (review 2)', () => {
  it('a tab that logged out of a server-rendered session does not sign out the next server-rendered tab (a new login)', async () => {
    const { clock, control, makeClient } = setup();
    const key = `server-${Math.random()}`;
    const ssr = { crossTab: true, storageKey: key, random: Math.random, refreshTokenIn: 'cookie' as const, initialSession: { user: EMILY } };
    // Tab A: rendered on the server; its first refresh (through the cookie) brings its tokens. Then the user logs out there.
    const first = await control.issueSession('emilys');
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: first.accessToken, refreshToken: first.refreshToken }));
    const a = makeClient(ssr);
    a.getSnapshot();
    await clock.advance(200);
    await until(() => (a.getSnapshot() as { accessToken?: string }).accessToken === first.accessToken, clock.flush);
    expect(a.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: first.accessToken });
    await a.logout();
    expect(a.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    await clock.advance(60_000);

    // The user signs in again through the server-side login form; the server renders a new tab (C) with the user.
    const second = await control.issueSession('emilys');
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: second.accessToken, refreshToken: second.refreshToken }));
    const c = makeClient(ssr);
    c.getSnapshot();
    await clock.advance(200);
    await until(() => (c.getSnapshot() as { accessToken?: string }).accessToken === second.accessToken, clock.flush);
    for (let i = 0; i < 5; i++) await clock.flush();
    // A new login, seconds after the logout: nothing ended it. Tab A, still open on the logged-out page, must not end it.
    expect({ ...c.getSnapshot() }).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
  });

  it('control: with tab A closed, the new server-rendered tab stays signed in', async () => {
    const { clock, control, makeClient } = setup();
    const key = `server-${Math.random()}`;
    const ssr = { crossTab: true, storageKey: key, random: Math.random, refreshTokenIn: 'cookie' as const, initialSession: { user: EMILY } };
    const first = await control.issueSession('emilys');
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: first.accessToken, refreshToken: first.refreshToken }));
    const a = makeClient(ssr);
    a.getSnapshot();
    await clock.advance(200);
    await until(() => (a.getSnapshot() as { accessToken?: string }).accessToken === first.accessToken, clock.flush);
    await a.logout();
    a.destroy();
    await clock.advance(60_000);
    const second = await control.issueSession('emilys');
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: second.accessToken, refreshToken: second.refreshToken }));
    const c = makeClient(ssr);
    c.getSnapshot();
    await clock.advance(200);
    await until(() => (c.getSnapshot() as { accessToken?: string }).accessToken === second.accessToken, clock.flush);
    for (let i = 0; i < 5; i++) await clock.flush();
    expect(c.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: second.accessToken });
  });
});
