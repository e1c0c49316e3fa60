/**
 * Where a session comes from: the login that started it (an id and the time it happened)
 * and how many refreshes it has been through. Tabs compare lineages to decide what to
 * adopt: a later generation of the same login, or a later login, and nothing else.
 */
export interface Lineage {
  /** Random per login; tells two logins apart. */
  login: string;
  /** Local time of the login: a later login replaces an earlier one in every tab. */
  at: number;
  /** 0 at login, one more with each refresh. */
  generation: number;
}

/** A new login's lineage. `random` is any number in [0, 1) (ids need not be secret, only distinct). */
export function newLineage(at: number, random: () => number): Lineage {
  return { login: `${at.toString(36)}-${random().toString(36).slice(2, 12)}-${random().toString(36).slice(2, 12)}`, at, generation: 0 };
}

/** The lineage of the session a refresh brings. */
export const nextGeneration = (lineage: Lineage): Lineage => ({ ...lineage, generation: lineage.generation + 1 });

/** Above 0 when `a` is newer than `b`: a later generation of the same login, or a later login. */
export function compareLineage(a: Lineage, b: Lineage): number {
  if (a.login === b.login) return a.generation - b.generation;
  return a.at - b.at || (a.login > b.login ? 1 : -1);
}

export const isLineage = (value: unknown): value is Lineage => {
  const lineage = value as Partial<Lineage> | null;
  return typeof lineage?.login == 'string' && Number.isFinite(lineage.at) && Number.isInteger(lineage.generation);
};

/** Sessions stored before lineages existed: one shared lineage, so every tab restoring one agrees. */
export const LEGACY_LINEAGE: Lineage = { login: 'stored', at: 0, generation: 0 };

/** A server-rendered session (`initialSession`): one lineage for every tab seeded so. */
export const SERVER_LINEAGE: Lineage = { login: 'server', at: 0, generation: 0 };

/** A login whose time is not known (stored before lineages, or rendered on a server): no later login replaced it. */
export const isTimeless = ({ login }: Lineage) => login === LEGACY_LINEAGE.login || login === SERVER_LINEAGE.login;
