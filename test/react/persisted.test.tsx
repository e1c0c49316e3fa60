import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useSession } from '../../src';
import { createAuthWrapper } from '../../src/testing';
import { MINUTE, emily, setup, startMswServer } from '../harness';

startMswServer();
afterEach(() => localStorage.clear());

function recordStatuses(seen: string[]) {
  return function Status() {
    const status = useSession((s) => s.status);
    seen.push(status);
    return <p>{status}</p>;
  };
}

describe('reload with a persisted session', () => {
  it('renders authenticated at the very first render when the stored token is valid', async () => {
    const { makeClient } = setup();
    await makeClient({ storage: 'localStorage' }).login(emily);
    const seen: string[] = [];
    const Status = recordStatuses(seen);
    render(<Status />, { wrapper: createAuthWrapper({ client: makeClient({ storage: 'localStorage' }) }) });
    expect(seen[0]).toBe('authenticated');
    expect(seen).not.toContain('loading');
  });

  it('renders loading until the refresh of an expired stored token settles', async () => {
    const { makeClient, clock } = setup({ accessTokenTtl: 900 });
    await makeClient({ storage: 'localStorage' }).login(emily);
    clock.jump(30 * MINUTE);
    const seen: string[] = [];
    const Status = recordStatuses(seen);
    render(<Status />, { wrapper: createAuthWrapper({ client: makeClient({ storage: 'localStorage' }) }) });
    expect(seen[0]).toBe('loading');
    await act(() => clock.flush());
    expect(seen.at(-1)).toBe('authenticated');
    expect(seen.filter((s) => s === 'unauthenticated')).toEqual([]);
  });
});
