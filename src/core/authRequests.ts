import type { Clock } from './clock';
import { newLineage, nextGeneration } from './lineage';
import { invalidResponse, type AuthError } from './errors';
import { parseSession, parseUser, type ParseOptions } from './parseSession';
import { isTransient, readAnswer, type ContractProtocol, type ProtocolRequest } from './protocol';
import type { RefreshAnswer } from './refreshCoordinator';
import type { SessionRecord } from './sessionState';
import { serverDateOf } from './tokens';
import { resolveUrl, type Transport } from './transport';

export interface AuthRequestsOptions<TUser> extends ParseOptions<TUser> {
  baseUrl: string;
  credentials: RequestCredentials;
  protocol: ContractProtocol;
  transport: Transport;
  clock: Clock;
  random: () => number;
  /** When a login happens, for its lineage. */
  loginTime(): number;
}

/** The engine's own requests, built by the protocol and sent by the transport, and their answers read into sessions. */
export function createAuthRequests<TUser>(options: AuthRequestsOptions<TUser>) {
  const { protocol, transport, baseUrl, credentials, userSchema, clock } = options;

  async function post(endpoint: 'login' | 'refresh' | 'logout', { path, body }: ProtocolRequest, bearer?: string): Promise<RefreshAnswer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const request = new Request(resolveUrl(baseUrl, path), { method: 'POST', headers, body: JSON.stringify(body), credentials });
    const { response, sentAt } = await transport.send(request, true);
    const answer = await readAnswer(protocol, endpoint, response);
    return { body: answer, sentAt, receivedAt: clock.now(), serverDate: serverDateOf(response) };
  }

  /** GET me through `send` (which adds the bearer), validated by the user schema. */
  async function fetchUser(send: (request: Request) => Promise<Response>): Promise<TUser> {
    const request = new Request(resolveUrl(baseUrl, protocol.me().path), { headers: { Accept: 'application/json' }, credentials });
    const response = await send(request);
    return parseUser(userSchema, await readAnswer(protocol, 'me', response), response.status);
  }

  function userFromMe(accessToken: string): Promise<TUser> {
    const send = (request: Request) => {
      request.headers.set('Authorization', `Bearer ${accessToken}`);
      return transport.send(request, true).then((answer) => answer.response);
    };
    return fetchUser(send).catch((error: AuthError) => {
      throw isTransient(error) ? error : invalidResponse('the login answer has no user, and GET me refused its access token.', error.issues, error.status);
    });
  }

  /**
   * The session an answer grants. A refresh keeps `base`'s user; a login answer without a
   * user asks me with its own access token before anything reports `authenticated`.
   */
  async function readSession(endpoint: 'login' | 'refresh', answer: RefreshAnswer, base: SessionRecord<TUser> | null): Promise<SessionRecord<TUser>> {
    const grant = await protocol.readGrant(endpoint, answer.body);
    const keep = base
      ? { ...base, lineage: nextGeneration(base.lineage) }
      : { user: undefined as TUser, refreshToken: null, lineage: newLineage(options.loginTime(), options.random) };
    const session = parseSession(grant, options, answer, keep);
    if (base) return session;
    const user = grant.user === undefined ? await userFromMe(grant.accessToken) : await parseUser(userSchema, grant.user);
    return { ...session, user };
  }

  return { post, fetchUser, readSession };
}
