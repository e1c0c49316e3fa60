import { act, render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { describe, expect, it } from 'vitest';
import { useSuspenseMe, useSuspenseSession } from '../../src';
import { createAuthWrapper } from '../../src/testing';
import { emily, setup, startMswServer } from '../harness';

startMswServer();

/** An async storage whose `get` answers when the test says. */
function slowStorage() {
  let answer = (_value: string | null) => {};
  const adapter = {
    get: () => new Promise<string | null>((resolve) => (answer = resolve)),
    set: () => undefined,
    remove: () => undefined,
  };
  return { adapter, answer: (value: string | null) => answer(value) };
}

async function storedSession() {
  const { makeClient } = setup();
  const client = makeClient({ storage: 'sessionStorage' });
  await client.login(emily);
  const raw = sessionStorage.getItem('authloop.session');
  sessionStorage.clear();
  return raw;
}

function Name() {
  const session = useSuspenseSession();
  return <p>{session.status === 'authenticated' ? session.user.firstName : `signed out (${session.status})`}</p>;
}

function Email() {
  const { data } = useSuspenseMe();
  return <p>{data ? data.email : 'nobody'}</p>;
}

describe('useSuspenseSession', () => {
  it('shows the Suspense fallback while a stored session is restored, then the user', async () => {
    const raw = await storedSession();
    const { makeClient } = setup();
    const storage = slowStorage();
    const client = makeClient({ storage: storage.adapter });
    render(
      <Suspense fallback={<p>restoring</p>}>
        <Name />
      </Suspense>,
      { wrapper: createAuthWrapper({ client }) },
    );
    expect(screen.getByText('restoring')).toBeTruthy();
    await act(async () => {
      storage.answer(raw);
      await client.whenReady();
    });
    expect(await screen.findByText('Emily')).toBeTruthy();
  });

  it('never suspends, and is never loading, with memory storage', () => {
    const { makeClient } = setup();
    render(
      <Suspense fallback={<p>restoring</p>}>
        <Name />
      </Suspense>,
      { wrapper: createAuthWrapper({ client: makeClient() }) },
    );
    expect(screen.getByText('signed out (unauthenticated)')).toBeTruthy();
  });
});

describe('useSuspenseMe', () => {
  it('suspends until GET me answered, then shows the user', async () => {
    const { makeClient, control } = setup();
    const client = makeClient();
    await client.login(emily);
    render(
      <Suspense fallback={<p>fetching</p>}>
        <Email />
      </Suspense>,
      { wrapper: createAuthWrapper({ client }) },
    );
    expect(screen.getByText('fetching')).toBeTruthy();
    expect(await screen.findByText('emily.johnson@x.example')).toBeTruthy();
    expect(control.counts().me).toBe(1);
  });

  it('gives null without a request when signed out', async () => {
    const { makeClient, control } = setup();
    render(
      <Suspense fallback={<p>fetching</p>}>
        <Email />
      </Suspense>,
      { wrapper: createAuthWrapper({ client: makeClient() }) },
    );
    expect(screen.getByText('nobody')).toBeTruthy();
    expect(control.counts().me).toBe(0);
  });
});
