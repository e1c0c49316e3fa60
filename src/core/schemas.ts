import * as z from 'zod/v4/mini';
import { andThen, type MaybePromise } from './maybe';

/**
 * The Standard Schema interface (standardschema.dev), declared here so that any
 * validator that implements it (zod classic or mini, valibot, arktype) can describe the user.
 */
export interface StandardSchemaV1<TInput = unknown, TOutput = TInput> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaV1.Result<TOutput> | Promise<StandardSchemaV1.Result<TOutput>>;
    readonly types?: { readonly input: TInput; readonly output: TOutput } | undefined;
  };
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  type Result<T> = { readonly value: T; readonly issues?: undefined } | { readonly issues: ReadonlyArray<Issue> };
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  }
  type InferOutput<T extends StandardSchemaV1> = NonNullable<T['~standard']['types']>['output'];
}

// Plain refinements rather than zod's minLength and positive checks: the same rules, for
// about 270 bytes less in every app that ships them (`npm run bench`).
export const token = z.string().check(z.refine((value) => value !== '', 'must not be empty'));
export const seconds = z.number().check(z.refine((value) => value > 0, 'must be above 0'));

/**
 * An object schema that keeps unknown fields at runtime (a server may send more than the
 * contract) but is typed as its declared fields only, with no index signature: a typo in
 * a field name is then a type error instead of `unknown`.
 */
export const declaredFields = <TShape extends z.core.$ZodShape>(shape: TShape) =>
  z.looseObject(shape) as unknown as z.ZodMiniObject<TShape, z.core.$strip>;

/**
 * The user as GET /auth/me returns it, and as the login response carries it: `id` a number,
 * `username`, `email`, `firstName`, `lastName` strings. Unknown fields are kept, not
 * rejected, but only the declared ones are typed. A server with string ids, or fields you
 * want typed, needs its own schema, passed as `schemas: { user }` (README: "The wire contract").
 */
export const userSchema = declaredFields({
  id: z.number(),
  username: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
});

/**
 * The tokens authloop takes from a login or refresh answer: `accessToken`, and optionally
 * `refreshToken` and `expiresIn` (seconds, for tokens that carry no `exp`). Cookie servers omit the refresh token.
 */
export const tokenResponseSchema = z.looseObject({
  accessToken: token,
  refreshToken: z.optional(token),
  expiresIn: z.optional(seconds),
});


/** The user of {@link userSchema}. */
export type User = z.infer<typeof userSchema>;

export interface ValidationIssue {
  message: string;
  path: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

function toValidation<T>(result: StandardSchemaV1.Result<T>): Validation<T> {
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      message: issue.message,
      path: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
    })),
  };
}

/**
 * Validates with any Standard Schema; issues keep messages and paths, never input values.
 * Synchronous when the schema is, so a stored session can be restored within the first render.
 */
export function validate<T>(schema: StandardSchemaV1<unknown, T>, value: unknown): MaybePromise<Validation<T>> {
  return andThen(schema['~standard'].validate(value), toValidation);
}
