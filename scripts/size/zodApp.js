// An app that already validates with zod's classic API, for the size budget of what authloop adds to it.
import * as z from 'zod';
export const parsed = z.object({ a: z.string().min(1), b: z.number() }).parse({ a: 'x', b: 1 });
