import * as z from 'zod/v4/mini';
import { declaredFields, seconds, token, userSchema } from './schemas';

// Exported for apps to extend and validate with; the engine reads answers with
// `tokenResponseSchema` and the user schema only, so an app that imports none of these
// ships none of them (this module has no side effects).

/**
 * The body of a successful POST /auth/login as the default client accepts it: the fields of
 * {@link userSchema}, `accessToken`, and optionally `refreshToken` and `expiresIn` (seconds).
 * Other fields (`gender`, `image`...) are kept and left untyped, as in {@link userSchema}.
 */
export const loginResponseSchema = declaredFields({
  ...userSchema.shape,
  accessToken: token,
  refreshToken: z.optional(token),
  expiresIn: z.optional(seconds),
});

/** The body of a successful POST /auth/refresh. The refresh token is optional: cookie servers omit it. */
export const refreshResponseSchema = z.looseObject({
  accessToken: token,
  refreshToken: z.optional(token),
  /** Lifetime in seconds, for servers whose access token carries no `exp`. */
  expiresIn: z.optional(seconds),
});


/** The error envelope: `message` for people, `code` for programs. */
export const errorEnvelopeSchema = z.looseObject({
  message: z.optional(z.string()),
  code: z.optional(z.string()),
});

/** A successful login body. */
export type LoginResponse = z.infer<typeof loginResponseSchema>;
/** A successful refresh body. */
export type RefreshResponse = z.infer<typeof refreshResponseSchema>;
/** An error body: `message` for people, `code` for programs. */
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
