/**
 * The fault registry: every network event kind, one module each (see `fault.ts`).
 *
 * To add a fault kind: write `sim/faults/<kind>.ts` exporting a `defineFault({...})` module, and
 * add it to {@link faultModules} below. The compiler then requires every part of it (schema,
 * network action, text, drawing, coverage, generator), the timeline format accepts it, the
 * simulator fires it, campaigns generate and count it, and reports show it. If the network must
 * do something it cannot yet (a new kind of connect outcome, say), extend `FaultTarget` in
 * `fault.ts` and the fake network that implements it.
 */
import type { History } from '../history.js';
import { blackhole } from './blackhole.js';
import { drop } from './drop.js';
import type { AnyFaultModule, EventOf, FaultEventBase } from './fault.js';
import { heal } from './heal.js';
import { latency } from './latency.js';
import { loginFailure } from './loginFailure.js';
import { mediaFails } from './mediaFails.js';
import { nack } from './nack.js';
import { queryRejects } from './queryRejects.js';
import { receiptsLost } from './receiptsLost.js';
import { recipientAway } from './recipientAway.js';
import { refuseConnects } from './refuseConnects.js';
import { slowLogin } from './slowLogin.js';
import { stallQueries } from './stallQueries.js';
import { stuckWrites } from './stuckWrites.js';
import { undecryptable } from './undecryptable.js';
import { upgradeRejected } from './upgradeRejected.js';

/**
 * The built-in network event kinds, keyed by kind, in the order generators and coverage tables
 * list them. A key that is not its module's kind does not compile.
 */
export const faultModules = {
  drop,
  refuseConnects,
  blackhole,
  latency,
  stallQueries,
  stuckWrites,
  loginFailure,
  upgradeRejected,
  slowLogin,
  mediaFails,
  nack,
  receiptsLost,
  queryRejects,
  undecryptable,
  recipientAway,
  heal,
} as const satisfies {
  [K in string]: AnyFaultModule & { kind: K };
};

/** A built-in network event kind (`drop`, ..., `heal`). */
export type FaultEventKind = keyof typeof faultModules;

/** A built-in network event. */
export type FaultEvent = {
  [K in FaultEventKind]: EventOf<(typeof faultModules)[K]>;
}[FaultEventKind];

/**
 * A set of fault modules with lookups. The built-in one is {@link builtInFaults}; `with` adds a
 * module (a user's own fault kind, or a test's) without touching the built-in set.
 */
export class FaultRegistry {
  readonly #byKind: ReadonlyMap<string, AnyFaultModule>;
  /** Every module, in registry order. */
  readonly modules: readonly AnyFaultModule[];
  /** Every swarm kind (what a run switches on or off, and coverage counts), in registry order. */
  readonly swarmKinds: readonly string[];

  /** A registry of `modules`; kinds and swarm kinds must be unique. */
  constructor(modules: readonly AnyFaultModule[]) {
    const byKind = new Map<string, AnyFaultModule>();
    const swarmKinds: string[] = [];
    for (const module of modules) {
      if (byKind.has(module.kind))
        throw new Error(`fault registry: kind "${module.kind}" registered twice`);
      byKind.set(module.kind, module);
      for (const kind of Object.keys(module.coverage?.swarm ?? {})) {
        if (swarmKinds.includes(kind))
          throw new Error(`fault registry: swarm kind "${kind}" registered twice`);
        swarmKinds.push(kind);
      }
    }
    this.#byKind = byKind;
    this.modules = [...modules];
    this.swarmKinds = swarmKinds;
  }

  /** This registry plus `module`. */
  with(module: AnyFaultModule): FaultRegistry {
    return new FaultRegistry([...this.modules, module]);
  }

  /**
   * The module of `kind`, or undefined when `kind` is not a network event (a bot action, `stop`).
   */
  get(kind: string): AnyFaultModule | undefined {
    return this.#byKind.get(kind);
  }

  /** Every network event kind, in registry order. */
  get kinds(): string[] {
    return this.modules.map((m) => m.kind);
  }

  /** True for an event that is a fault (not a bot action, not `stop`, not `heal`). */
  isFault(event: { do: string }): boolean {
    return this.#byKind.get(event.do)?.isFault === true;
  }

  /** The swarm kind of a fault event, or undefined for anything else. */
  swarmKindOf(event: FaultEventBase): string | undefined {
    const module = this.#byKind.get(event.do);
    return module?.coverage?.kindOf(event as never);
  }

  /** One short line for a network event. */
  describe(event: FaultEventBase): string {
    const module = this.#byKind.get(event.do);
    if (module === undefined) throw new Error(`fault registry: no module for "${event.do}"`);
    return module.describe(event as never);
  }

  /** Whether a fault event took effect in `history` (its time came, and its own rule, if any). */
  fired(event: FaultEventBase, history: History): boolean {
    const module = this.#byKind.get(event.do);
    if (module?.coverage === undefined || event.at > history.endedAt) return false;
    return module.coverage.fired?.(event as never, history) ?? true;
  }
}

/** The built-in faults. */
export const builtInFaults = new FaultRegistry(Object.values(faultModules));

export type { AnyFaultModule, FaultModule, FaultTarget, FaultLink } from './fault.js';
export type { FaultEventBase } from './fault.js';
export { defineFault } from './fault.js';
export { blackholeAftermathMs } from './blackhole.js';
