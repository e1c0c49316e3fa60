import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { contract } from '../../../src';
import { MINUTE, emily, setup, startMswServer } from '../../harness';

startMswServer();

describe('contract', () => {
  it('ends a refused refresh as revoked when its code merely mentions expiry: only the contract’s own code means expired', async () => {
    const { makeClient, control, clock } = setup({ accessTokenTtl: 900 });
    const client = makeClient();
    await client.login(emily);
    control.respondNext('refresh', 1, () => HttpResponse.json({ message: 'Token expired', code: 'auth/token_expired' }, { status: 401 }));
    await clock.advance(14 * MINUTE);
    expect(client.getSnapshot()).toMatchObject({ status: 'unauthenticated', reason: 'revoked' });
  });

  it('takes its paths as the protocol, as the paths option does', async () => {
    const { makeClient, control } = setup({ paths: { login: '/v2/login' } });
    await makeClient({ protocol: contract({ paths: { login: '/v2/login' } }) }).login(emily);
    expect(control.counts().login).toBe(1);
  });

  it('refuses paths beside a protocol as auth/invalid_config', () => {
    const { makeClient } = setup();
    expect(() => makeClient({ protocol: contract(), paths: { login: '/v2/login' } })).toThrow(expect.objectContaining({ code: 'auth/invalid_config' }));
  });
});
