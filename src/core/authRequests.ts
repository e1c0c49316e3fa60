import type { Clock } from './clock';
import { invalidResponse, type AuthError } from './errors';
import { newLineage, nextGeneration } from './lineage';
import { parseGrant, parseSession, parseUser, type ParseOptions } from './parseSession';
import { answerError, isRecord, isTransient, readAnswer, type AuthEndpoint, type AuthProtocol, type Grant, type ProtocolError, type ProtocolRequest } from './protocol';
import type { RefreshAnswer } from './refreshCoordinator';
import type { SessionRecord } from './sessionState';
import { serverDateOf } from './tokens';
import { resolveUrl, type Transport } from './transport';

export interface AuthRequestsOptions<TUser> extends ParseOptions<TUser> {
  baseUrl: string;
  credentials: RequestCredentials;
  /** The refresh token travels in an HttpOnly cookie: the protocol is given none to send. */
  refreshInCookie: boolean;
  protocol: AuthProtocol<unknown>;
  transport: Transport;
  clock: Clock;
  random: () => number;
  /** When a login happens, for its lineage. */
  loginTime(): number;
}

/** A 2xx answer of login or refresh, before it is read; `status` where the engine sent it itself. */
interface GrantAnswer extends RefreshAnswer {
  status?: number;
}

/** The engine's own requests, built by the protocol and sent by the transport, and their answers read into sessions. */
export function createAuthRequests<TUser>(options: AuthRequestsOptions<TUser>) {
  const { protocol, transport, baseUrl, credentials, userSchema, clock, refreshInCookie } = options;
  const tokenToSend = (session: SessionRecord<TUser> | null) => (refreshInCookie ? null : (session?.refreshToken ?? null));

  /** The protocol's request as a fetch Request: JSON, or form-encoded for a URLSearchParams body. */
  function toRequest(endpoint: AuthEndpoint, { path, method, body, headers }: ProtocolRequest): Request {
    // A URLSearchParams body gets its form Content-Type from fetch itself.
    const json = body !== undefined && !(body instanceof URLSearchParams);
    const all = new Headers({ Accept: 'application/json', ...(json && { 'Content-Type': 'application/json' }) });
    // Set one by one: a protocol's `content-type` replaces ours whatever its case.
    for (const name in headers) all.set(name, headers[name]!);
    return new Request(resolveUrl(baseUrl, path), {
      method: method ?? (endpoint === 'me' ? 'GET' : 'POST'),
      headers: all,
      body: json ? JSON.stringify(body) : (body as URLSearchParams | undefined),
      credentials,
    });
  }

  async function send(endpoint: 'login' | 'refresh' | 'logout', request: ProtocolRequest): Promise<GrantAnswer> {
    const { response, sentAt } = await transport.send(toRequest(endpoint, request), true, endpoint === 'refresh');
    const body = await readAnswer(protocol, endpoint, response);
    return { body, sentAt, receivedAt: clock.now(), serverDate: serverDateOf(response), status: response.status };
  }

  /** GET me through `fetchWith` (which adds the bearer), validated by the user schema. */
  async function fetchUser(fetchWith: (request: Request) => Promise<Response>): Promise<TUser> {
    const response = await fetchWith(toRequest('me', protocol.me()));
    const body = await readAnswer(protocol, 'me', response);
    return parseUser(userSchema, protocol.readUser ? protocol.readUser(body) : body, response.status);
  }

  function userFromMe(accessToken: string): Promise<TUser> {
    const withToken = (request: Request) => {
      request.headers.set('Authorization', `Bearer ${accessToken}`);
      return transport.send(request, true).then((answer) => answer.response);
    };
    return fetchUser(withToken).catch((error: AuthError) => {
      throw isTransient(error) ? error : invalidResponse('the login answer has no user, and GET me refused its access token.', error.issues, error.status);
    });
  }

  /**
   * The session an answer grants. A refresh keeps `base`'s user; an answer without a user
   * asks me with its own access token before anything reports `authenticated`.
   */
  async function readSession(endpoint: 'login' | 'refresh', answer: GrantAnswer, base: SessionRecord<TUser> | null): Promise<SessionRecord<TUser>> {
    if (!isRecord(answer.body)) throw invalidResponse('expected a JSON object.');
    // A grant, or the error a 200 carried (GraphQL): only an error has a code.
    const read: Partial<Grant & ProtocolError> = protocol.readGrant(endpoint, answer.body) ?? {};
    if (read.code) throw answerError(read as ProtocolError, answer.status);
    const grant = await parseGrant(read as Grant);
    const keep = base
      ? { ...base, lineage: nextGeneration(base.lineage) }
      : { user: undefined as TUser, refreshToken: null, lineage: newLineage(options.loginTime(), options.random) };
    const session = parseSession(grant, options, answer, keep);
    // A refresh keeps its user; but a server-rendered session's first refresh (it has no token
    // yet) asks me: the cookie may be another user's by now (a cached page, another tab's switch).
    if (base && base.accessToken !== '') return session;
    const user = grant.user === undefined ? await userFromMe(grant.accessToken) : await parseUser(userSchema, grant.user);
    return { ...session, user };
  }

  return {
    fetchUser,
    readSession,
    /** Signs in: the session, its user from me when the answer has none. */
    login: async (credentials: unknown) => readSession('login', await send('login', protocol.login(credentials)), null),
    /** Sends a refresh of `base` (null: whatever refresh cookie the browser holds). */
    refresh: (base: SessionRecord<TUser> | null) => send('refresh', protocol.refresh(tokenToSend(base))),
    /** Tells the server about a logout, when the protocol has a way to. */
    async logout(session: SessionRecord<TUser>) {
      const request = protocol.logout?.({ accessToken: session.accessToken, refreshToken: tokenToSend(session) });
      if (request) await send('logout', request);
    },
  };
}
