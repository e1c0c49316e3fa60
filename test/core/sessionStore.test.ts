import { describe, expect, it, vi } from 'vitest';
import { initialState, type EngineState, type SessionRecord } from '../../src/core/sessionState';
import { createSessionStore } from '../../src/core/sessionStore';

interface User {
  id: number;
}

const session: SessionRecord<User> = {
  user: { id: 1 },
  accessToken: 'a1',
  refreshToken: 'r1',
  expiresAt: null,
  refreshAt: null,
  lineage: { login: 'login-1', at: 0, generation: 0 },
};
const signedOut = (): EngineState<User> => initialState<User>(false);

describe('createSessionStore', () => {
  it('starts from the initial state it is given', () => {
    const initial = signedOut();
    expect(createSessionStore(initial, () => {}).getState()).toBe(initial);
  });

  it('applies an action through the session reducer', () => {
    const store = createSessionStore(signedOut(), () => {});
    store.dispatch({ type: 'session', session });
    expect(store.getState()).toEqual({
      session,
      snapshot: { status: 'authenticated', user: { id: 1 }, accessToken: 'a1', expiresAt: null, isRefreshing: false },
    });
  });

  it('notifies every listener of a change', () => {
    const store = createSessionStore(signedOut(), () => {});
    const first = vi.fn();
    const second = vi.fn();
    store.subscribe(first);
    store.subscribe(second);
    store.dispatch({ type: 'session', session });
    expect([first.mock.calls.length, second.mock.calls.length]).toEqual([1, 1]);
  });

  it('keeps the same state object and notifies nobody when the reducer changed nothing', () => {
    const initial = signedOut();
    const onTransition = vi.fn();
    const listener = vi.fn();
    const store = createSessionStore(initial, onTransition);
    store.subscribe(listener);
    // No session: a refresh starting changes nothing.
    store.dispatch({ type: 'refreshing', value: true });
    expect(store.getState()).toBe(initial);
    expect(onTransition).not.toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
  });

  it('does not notify when an authenticated state is told what it already is', () => {
    const store = createSessionStore(signedOut(), () => {});
    store.dispatch({ type: 'session', session });
    const listener = vi.fn();
    store.subscribe(listener);
    store.dispatch({ type: 'refreshing', value: false });
    expect(listener).not.toHaveBeenCalled();
  });

  it('passes the previous and the next state to onTransition', () => {
    const initial = signedOut();
    const onTransition = vi.fn();
    const store = createSessionStore(initial, onTransition);
    store.dispatch({ type: 'session', session });
    expect(onTransition).toHaveBeenCalledWith(initial, store.getState());
  });

  it('runs onTransition before the listeners, with the new state already readable', () => {
    const order: string[] = [];
    const store = createSessionStore<User>(signedOut(), (_previous, next) => order.push(`transition:${next.snapshot.status}`));
    store.subscribe(() => order.push(`listener:${store.getState().snapshot.status}`));
    store.dispatch({ type: 'session', session });
    expect(order).toEqual(['transition:authenticated', 'listener:authenticated']);
  });

  it('stops notifying a listener once it unsubscribed, and keeps notifying the others', () => {
    const store = createSessionStore(signedOut(), () => {});
    const gone = vi.fn();
    const staying = vi.fn();
    const unsubscribe = store.subscribe(gone);
    store.subscribe(staying);
    unsubscribe();
    store.dispatch({ type: 'session', session });
    expect(gone).not.toHaveBeenCalled();
    expect(staying).toHaveBeenCalledTimes(1);
  });

  it('treats a second unsubscribe as harmless', () => {
    const store = createSessionStore(signedOut(), () => {});
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    unsubscribe();
    expect(() => unsubscribe()).not.toThrow();
  });
});
