import type { TestUser } from './fakeAuthTypes';

/** The error envelope of the contract: `message` for people, `code` for programs. */
export interface ErrorEnvelope {
  message: string;
  code?: string;
}

/** Every error the fake server answers with, by cause. */
export const ERRORS = {
  invalidCredentials: { message: 'Invalid credentials', code: 'auth/invalid_credentials' },
  invalidJson: { message: 'Request body is not valid JSON', code: 'auth/bad_request' },
  credentialsRequired: { message: 'Username and password required', code: 'auth/bad_request' },
  refreshTokenRequired: { message: 'Refresh token required', code: 'auth/bad_request' },
  refreshTokenReused: { message: 'Refresh token reused', code: 'auth/refresh_token_reused' },
  refreshTokenExpired: { message: 'Refresh token expired', code: 'auth/refresh_token_expired' },
  refreshTokenInvalid: { message: 'Invalid refresh token', code: 'auth/refresh_token_invalid' },
  unauthorized: { message: 'Unauthorized', code: 'auth/unauthorized' },
  tokenExpired: { message: 'Token expired', code: 'auth/token_expired' },
} as const satisfies Record<string, ErrorEnvelope>;

// Role `/auth/me` reports when a user has none; an extra field that tests schema passthrough.
const DEFAULT_ROLE = 'user';

// Todo ids are `userId * stride + n`, so ids never collide across users.
const TODO_ID_STRIDE = 100;

/** The accounts of the contract's example (README, "The wire contract"), and a second one for user switches. */
export const DEFAULT_USERS: readonly TestUser[] = [
  {
    id: 1,
    username: 'emilys',
    password: 'emilyspass',
    email: 'emily.johnson@x.example',
    firstName: 'Emily',
    lastName: 'Johnson',
    gender: 'female',
    image: 'https://example.test/image/200?text=User+1',
    role: 'admin',
  },
  {
    id: 2,
    username: 'michaelw',
    password: 'michaelwpass',
    email: 'michael.williams@x.example',
    firstName: 'Michael',
    lastName: 'Williams',
    gender: 'male',
    image: 'https://example.test/image/200?text=User+2',
    role: 'user',
  },
];

/** What `/auth/me` answers for `user`. */
export function profileOf(user: TestUser) {
  const { id, username, email, firstName, lastName, role } = user;
  return { id, username, email, firstName, lastName, role: role ?? DEFAULT_ROLE };
}

/** What `/api/todos` answers for `user`: two todos of its own. */
export function todosOf(user: TestUser) {
  return {
    todos: [
      { id: user.id * TODO_ID_STRIDE + 1, todo: `${user.firstName}'s first todo`, completed: false, userId: user.id },
      { id: user.id * TODO_ID_STRIDE + 2, todo: `${user.firstName}'s second todo`, completed: true, userId: user.id },
    ],
  };
}

/** A plain JSON object (not an array, not `null`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws a RangeError unless `count` is a non-negative integer. */
export function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
}

/** Throws a RangeError unless `value` is a finite, non-negative (or, without `allowZero`, positive) number. */
export function assertDuration(name: string, value: number, allowZero: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
  }
}
