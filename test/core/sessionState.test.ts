import { describe, expect, it } from 'vitest';
import { initialState, sessionReducer, type EngineState, type SessionRecord } from '../../src/core/sessionState';

type User = { id: number; name: string };
const session = (token: string, user: User = { id: 1, name: 'Emily' }): SessionRecord<User> => ({
  user,
  accessToken: token,
  refreshToken: `r-${token}`,
  expiresAt: 1000,
  refreshAt: 900,
  lineage: { login: 'l1', at: 0, generation: 0 },
});
const signedIn = (): EngineState<User> => sessionReducer(initialState<User>(false), { type: 'session', session: session('a') });

describe('sessionReducer', () => {
  it('starts loading with persistent storage and unauthenticated without', () => {
    expect(initialState(true).snapshot.status).toBe('loading');
    expect(initialState(false).snapshot).toEqual({ status: 'unauthenticated', reason: null, error: null });
  });

  it('stays authenticated while a refresh is in flight, flagged isRefreshing', () => {
    const next = sessionReducer(signedIn(), { type: 'refreshing', value: true });
    expect(next.snapshot).toMatchObject({ status: 'authenticated', isRefreshing: true });
  });

  it('keeps the same user object across a refresh of the same user', () => {
    const before = sessionReducer(signedIn(), { type: 'refreshing', value: true });
    const after = sessionReducer(before, { type: 'session', session: session('b', { id: 1, name: 'Emily' }) });
    expect(after.snapshot.status === 'authenticated' && after.snapshot.user).toBe(
      before.snapshot.status === 'authenticated' && before.snapshot.user,
    );
    expect(after.snapshot).toMatchObject({ accessToken: 'b', isRefreshing: false });
  });

  it('returns the same state for a transition that changes nothing', () => {
    const state = signedIn();
    expect(sessionReducer(state, { type: 'refreshing', value: false })).toBe(state);
    const refreshing = sessionReducer(state, { type: 'refreshing', value: true });
    expect(sessionReducer(refreshing, { type: 'refreshing', value: true })).toBe(refreshing);
  });

  it('ends with a reason and drops the session', () => {
    const ended = sessionReducer(signedIn(), { type: 'ended', reason: 'revoked' });
    expect(ended).toEqual({ snapshot: { status: 'unauthenticated', reason: 'revoked', error: null }, session: null });
  });

  it('moves a restore whose refresh failed on the network to authenticated, keeping the session', () => {
    const loading = sessionReducer(initialState<User>(true), { type: 'session', session: session('a'), pending: true });
    expect(loading.snapshot.status).toBe('loading');
    const after = sessionReducer(loading, { type: 'refreshing', value: false });
    expect(after.snapshot).toMatchObject({ status: 'authenticated', accessToken: 'a' });
  });

  it('takes a user that JSON cannot hold (a BigInt) as new instead of throwing', () => {
    const user = { id: 1n, name: 'Emily' } as unknown as User;
    const state = sessionReducer(initialState<User>(false), { type: 'session', session: session('a', user) });
    const next = sessionReducer(state, { type: 'session', session: session('b', { ...user }) });
    expect(next.snapshot).toMatchObject({ status: 'authenticated', accessToken: 'b' });
  });
});
