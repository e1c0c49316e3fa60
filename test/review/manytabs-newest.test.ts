import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { emily, setup, startMswServer } from '../harness';

startMswServer();

const HOUR = 3_600_000;
const EMILY = { id: 1, username: 'emilys', email: 'emily.johnson@x.example', firstName: 'Emily', lastName: 'Johnson' };

async function until(check: () => boolean, flush: () => Promise<void>) {
  for (let i = 0; i < 20 && !check(); i++) await flush();
}

const status = (client: { getSnapshot(): unknown }) => (client.getSnapshot() as { status: string }).status;

describe('a tab that holds no session and the newest login it knew (review)', () => {
  it('takes up a login made after its logout in a tab opened since, even when the device clock was set back in between', async () => {
    const { clock, makeClient } = setup();
    const key = `newest-${Math.random()}`;
    const a = makeClient({ crossTab: true, storageKey: key, random: Math.random });
    a.getSnapshot();
    await a.login(emily);
    await a.logout();
    expect(a.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'logged-out' });
    // NTP corrects a clock that ran an hour fast; then a new tab opens and the user signs in there.
    clock.jump(-HOUR);
    const b = makeClient({ crossTab: true, storageKey: key, random: Math.random });
    b.getSnapshot();
    await clock.flush();
    await b.login(emily);
    await until(() => status(a) === 'authenticated', clock.flush);
    expect(b.getSnapshot()).toMatchObject({ status: 'authenticated' });
    // "A tab that holds no session ... adopts the next session it hears of whose login has not ended there."
    expect(a.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
  });

  it('takes up the session of a server-rendered tab (lineage "server", at 0) after its own login and logout', async () => {
    const { clock, control, makeClient } = setup();
    const key = `newest-${Math.random()}`;
    const a = makeClient({ crossTab: true, storageKey: key, random: Math.random });
    a.getSnapshot();
    await a.login(emily);
    await a.logout();
    // The user signs in again through a server-side flow; the server renders a new tab with the
    // user, and that tab's first refresh (through the cookie) brings its tokens.
    const body = await control.issueSession('emilys');
    control.respondNext('refresh', 1, () => HttpResponse.json({ accessToken: body.accessToken, refreshToken: body.refreshToken }));
    const c = makeClient({ crossTab: true, storageKey: key, random: Math.random, refreshTokenIn: 'cookie', initialSession: { user: EMILY } });
    c.getSnapshot();
    await clock.advance(200);
    await until(() => (c.getSnapshot() as { accessToken?: string }).accessToken === body.accessToken, clock.flush);
    expect(c.getSnapshot()).toMatchObject({ status: 'authenticated', accessToken: body.accessToken });
    await until(() => status(a) === 'authenticated', clock.flush);
    expect(a.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'emilys' } });
  });
});

describe('control: without the clock set back', () => {
  it('a logged-out tab takes up a later login of a tab opened since', async () => {
    const { clock, makeClient } = setup();
    const key = `newest-${Math.random()}`;
    const a = makeClient({ crossTab: true, storageKey: key, random: Math.random });
    a.getSnapshot();
    await a.login(emily);
    await a.logout();
    await clock.advance(1_000);
    const b = makeClient({ crossTab: true, storageKey: key, random: Math.random });
    b.getSnapshot();
    await clock.flush();
    await b.login(emily);
    await until(() => status(a) === 'authenticated', clock.flush);
    expect(a.getSnapshot()).toMatchObject({ status: 'authenticated' });
  });
});

