import { focusManager, onlineManager } from '@tanstack/query-core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthSnapshot } from '../../src/core';
import { startMswServer } from '../harness';
import { World } from './world';

startMswServer();

/**
 * A model-based test of the framework-free client: random sequences of logins, logouts,
 * time, sleep, network and server faults, clock jumps, tab visibility, storage faults,
 * reloads, stolen refresh tokens and concurrent callers. After every step the invariants
 * below are checked. Replay a failure with FC_SEED=<seed> FC_PATH=<path> from its report.
 */

const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RUNS = Number(process.env.FC_RUNS ?? 2_000);

type FaultClass =
  | 'login' | 'logout' | 'time' | 'sleep' | 'network' | 'server-5xx' | 'latency' | 'revocation'
  | 'token-reuse' | 'clock-jump' | 'visibility' | 'storage-quota' | 'storage-garbage' | 'reload' | 'concurrency';

interface Row { cases: number; ended: number; sessionsLost: number; violations: number; uncaught: number }
const table = new Map<FaultClass, Row>();
const row = (fault: FaultClass) => {
  let entry = table.get(fault);
  if (!entry) table.set(fault, (entry = { cases: 0, ended: 0, sessionsLost: 0, violations: 0, uncaught: 0 }));
  return entry;
};

/** What the test expects of the session, beyond what the World measures. */
interface Model { loggedOut: boolean; expectSession: boolean }

function isValidSnapshot(snapshot: AuthSnapshot<unknown>): boolean {
  switch (snapshot.status) {
    case 'loading':
      return Object.keys(snapshot).length === 1;
    case 'authenticated':
      return typeof snapshot.accessToken === 'string' && typeof snapshot.isRefreshing === 'boolean' && snapshot.user !== undefined;
    case 'unauthenticated':
      return [null, 'expired', 'revoked', 'logged-out', 'other-tab', 'refresh-failed'].includes(snapshot.reason);
    default:
      return false;
  }
}

/** Checks every invariant after a step; returns the violations found. */
function check(model: Model, world: World, fault: FaultClass): string[] {
  const violations: string[] = [];
  const after = world.client.getSnapshot();
  if (!isValidSnapshot(after)) violations.push(`invalid snapshot ${JSON.stringify(after)}`);
  if (world.maxRefreshesInFlight > 1) violations.push(`${world.maxRefreshesInFlight} refreshes in flight at once`);
  if (world.knownExpiredSends > 0) violations.push('a request carried an access token the client knew was expired');
  if (world.hung > 0) violations.push('a call never settled');
  // Reuses the server judged: a request that met an injected 5xx or 429 was never examined,
  // and the client rightly tries the same token again.
  const reused = world.control
    .requests()
    .filter((entry) => entry.usedSpentRefreshToken && entry.status > 0 && entry.status < 500 && entry.status !== 429).length;
  if (reused > world.attackerReplays + world.interruptedRefreshes) violations.push('the client sent a spent refresh token');
  if (model.loggedOut) {
    if (world.storage.raw.has(world.key)) violations.push('storage still holds a session after logout');
    if (world.authQueries() > 0) violations.push('auth queries survived logout');
  }
  const lost = model.expectSession && after.status === 'unauthenticated';
  if (lost) {
    // Ended by the server (revoked, refresh token expired) or by corrupted storage: legitimate.
    // Anything else is a session lost to a transient fault.
    if (world.serverWouldRefresh() && !world.storage.lostWrite && !world.storageCorrupted) {
      row(fault).sessionsLost += 1;
      violations.push(`session lost to a transient fault (${fault}): ${JSON.stringify(after)}`);
    } else {
      row(fault).ended += 1;
    }
    model.expectSession = false;
  }
  return violations;
}

abstract class Step implements fc.AsyncCommand<Model, World> {
  abstract readonly fault: FaultClass;
  check(): boolean {
    return true;
  }
  protected abstract act(model: Model, world: World): Promise<void>;
  async run(model: Model, world: World): Promise<void> {
    const entry = row(this.fault);
    entry.cases += 1;
    const uncaughtBefore = world.uncaught.length;
    await this.act(model, world);
    await world.settle();
    const violations = check(model, world, this.fault);
    entry.violations += violations.length;
    entry.uncaught += world.uncaught.length - uncaughtBefore;
    expect(world.uncaught, `uncaught errors after ${this.toString()}`).toEqual([]);
    expect(violations, `after ${this.toString()}: ${violations.join('; ')}`).toEqual([]);
  }
  abstract toString(): string;
}

class Login extends Step {
  readonly fault = 'login';
  constructor(readonly username: string, readonly good: boolean) {
    super();
  }
  async act(model: Model, world: World) {
    const password = this.good ? `${this.username}pass` : 'wrong';
    await world.attempt(
      world.client.login({ username: this.username, password }).then(() => {
        model.loggedOut = false;
        model.expectSession = true;
        world.familyRevoked = false;
        world.stolenRefreshToken = null;
        world.storageCorrupted = false;
      }),
    );
  }
  toString = () => `Login(${this.username}, ${this.good ? 'good' : 'bad'})`;
}

class Logout extends Step {
  readonly fault = 'logout';
  async act(model: Model, world: World) {
    await world.attempt(world.client.logout());
    model.loggedOut = true;
    model.expectSession = false;
  }
  toString = () => 'Logout';
}

class Advance extends Step {
  readonly fault = 'time';
  constructor(readonly ms: number) {
    super();
  }
  act = (_model: Model, world: World) => world.serverClock.advance(this.ms);
  toString = () => `Advance(${this.ms})`;
}

class Sleep extends Step {
  readonly fault = 'sleep';
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: World) {
    focusManager.setFocused(false);
    world.serverClock.jump(this.ms);
    focusManager.setFocused(true);
  }
  toString = () => `Sleep(${this.ms})`;
}

class Network extends Step {
  readonly fault = 'network';
  constructor(readonly up: boolean) {
    super();
  }
  async act(_model: Model, world: World) {
    world.networkDown = !this.up;
    onlineManager.setOnline(this.up);
  }
  toString = () => `Network(${this.up ? 'up' : 'down'})`;
}

class ServerErrors extends Step {
  readonly fault = 'server-5xx';
  constructor(readonly endpoint: 'login' | 'refresh' | 'me', readonly count: number, readonly status: number) {
    super();
  }
  async act(_model: Model, world: World) {
    world.control.failNext(this.endpoint, this.count, { status: this.status });
  }
  toString = () => `ServerErrors(${this.endpoint}, ${this.count}, ${this.status})`;
}

class Latency extends Step {
  readonly fault = 'latency';
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: World) {
    world.control.setLatency('all', this.ms);
  }
  toString = () => `Latency(${this.ms})`;
}

class Revoke extends Step {
  readonly fault = 'revocation';
  async act(_model: Model, world: World) {
    world.control.revokeAll();
    world.familyRevoked = true;
  }
  toString = () => 'Revoke';
}

/** An attacker copies the stored refresh token, and replays it once it has been rotated. */
class StealAndReplay extends Step {
  readonly fault = 'token-reuse';
  async act(_model: Model, world: World) {
    const stored = world.storage.raw.get(world.key);
    const current = stored ? (JSON.parse(stored) as { refreshToken: string | null }).refreshToken : null;
    if (world.stolenRefreshToken && current !== world.stolenRefreshToken) {
      world.attackerReplays += 1;
      world.familyRevoked = true;
      const wasDown = world.networkDown;
      world.networkDown = false;
      const replay = fetch(world.handlers.urls.refresh, {
        method: 'POST',
        body: JSON.stringify({ refreshToken: world.stolenRefreshToken }),
        headers: { 'Content-Type': 'application/json' },
      });
      await world.attempt(replay);
      world.networkDown = wasDown;
      world.stolenRefreshToken = null;
    } else {
      world.stolenRefreshToken = current;
    }
  }
  toString = () => 'StealAndReplay';
}

class ClockJump extends Step {
  readonly fault = 'clock-jump';
  constructor(readonly ms: number) {
    super();
  }
  async act(_model: Model, world: World) {
    world.offset += this.ms;
  }
  toString = () => `ClockJump(${this.ms})`;
}

class Visibility extends Step {
  readonly fault = 'visibility';
  constructor(readonly visible: boolean) {
    super();
  }
  async act() {
    focusManager.setFocused(this.visible);
  }
  toString = () => `Visibility(${this.visible})`;
}

class StorageQuota extends Step {
  readonly fault = 'storage-quota';
  constructor(readonly failing: boolean) {
    super();
  }
  async act(_model: Model, world: World) {
    world.storage.failWrites = this.failing;
  }
  toString = () => `StorageQuota(${this.failing})`;
}

/** The page reloads: a new client restores whatever storage holds (maybe garbage). */
class Reload extends Step {
  readonly fault: FaultClass;
  constructor(readonly garbage: string | null) {
    super();
    this.fault = garbage === null ? 'reload' : 'storage-garbage';
  }
  async act(model: Model, world: World) {
    if (this.garbage !== null) {
      world.storage.raw.set(world.key, this.garbage);
      world.storageCorrupted = true;
    }
    if (world.refreshesInFlight > 0) {
      // The page dies while the server rotates: the stored refresh token is spent, and a
      // strictly rotating server will see its reuse. Only a server-side grace period helps.
      world.interruptedRefreshes += 1;
      world.storageCorrupted = true;
    }
    world.client.destroy();
    world.client = world.createClient();
    world.client.getSnapshot();
    model.loggedOut = false;
  }
  toString = () => `Reload(${this.garbage === null ? '' : JSON.stringify(this.garbage)})`;
}

class ConcurrentCalls extends Step {
  readonly fault = 'concurrency';
  constructor(readonly count: number, readonly withMe: boolean) {
    super();
  }
  async act(_model: Model, world: World) {
    const calls = Array.from({ length: this.count }, (_, i) =>
      world.attempt(this.withMe && i % 2 ? world.client.fetchMe() : world.client.getAccessToken()),
    );
    await Promise.all(calls);
  }
  toString = () => `ConcurrentCalls(${this.count}, ${this.withMe})`;
}

const commands = [
  fc.tuple(fc.constantFrom('emilys', 'michaelw'), fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 })).map(([u, good]) => new Login(u, good)),
  fc.constant(new Logout()),
  fc.integer({ min: SECOND, max: 2 * HOUR }).map((ms) => new Advance(ms)),
  fc.integer({ min: HOUR, max: 10 * DAY }).map((ms) => new Sleep(ms)),
  fc.boolean().map((up) => new Network(up)),
  fc.tuple(fc.constantFrom('login', 'refresh', 'me') as fc.Arbitrary<'login' | 'refresh' | 'me'>, fc.integer({ min: 1, max: 4 }), fc.constantFrom(500, 502, 503, 429))
    .map(([endpoint, count, status]) => new ServerErrors(endpoint, count, status)),
  fc.integer({ min: 0, max: 10 * SECOND }).map((ms) => new Latency(ms)),
  fc.constant(new Revoke()),
  fc.constant(new StealAndReplay()),
  fc.integer({ min: -2 * DAY, max: 2 * DAY }).map((ms) => new ClockJump(ms)),
  fc.boolean().map((visible) => new Visibility(visible)),
  fc.boolean().map((failing) => new StorageQuota(failing)),
  fc.option(fc.oneof(fc.string(), fc.constant('{"v":1,"accessToken":"x"}'), fc.json()), { nil: null }).map((garbage) => new Reload(garbage)),
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.boolean()).map(([count, withMe]) => new ConcurrentCalls(count, withMe)),
];

describe('model-based property test of the client', () => {
  it(`keeps every invariant over ${RUNS} random sessions`, async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('unhandledRejection', onUncaught);
    process.on('uncaughtException', onUncaught);
    try {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'max' }), async (steps) => {
          const world = new World();
          world.uncaught = uncaught;
          try {
            await fc.asyncModelRun(() => ({ model: { loggedOut: false, expectSession: false }, real: world }), steps);
          } finally {
            world.destroy();
            await world.settle();
          }
        }),
        {
          numRuns: RUNS,
          seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
          path: process.env.FC_PATH,
          endOnFailure: !process.env.FC_SHRINK,
        },
      );
    } finally {
      process.off('unhandledRejection', onUncaught);
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  }, 120_000);
});

afterAll(() => {
  const rows = [...table.entries()].sort(([a], [b]) => a.localeCompare(b));
  const header = ['fault class', 'cases run', 'ended by server or storage', 'sessions lost', 'invariant violations', 'uncaught errors'];
  const lines = rows.map(([fault, r]) => [fault, r.cases, r.ended, r.sessionsLost, r.violations, r.uncaught].map(String));
  const total = { cases: 0, ended: 0, sessionsLost: 0, violations: 0, uncaught: 0 };
  for (const [, r] of rows) for (const key of Object.keys(total) as Array<keyof Row>) total[key] += r[key];
  lines.push(['total', total.cases, total.ended, total.sessionsLost, total.violations, total.uncaught].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    [`\nReliability: ${RUNS} runs of up to 30 steps (FC_RUNS to change)`, format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n'),
  );
});
