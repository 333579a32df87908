/**
 * Replacing an export of a built-in module for a run, so that named imports see it too.
 *
 * `import { randomBytes } from 'node:crypto'` (as Baileys imports it) is an ES module binding:
 * it follows the module's CommonJS exports object only when `syncBuiltinESMExports()` runs, and
 * that call walks every built-in (about 50 µs). Syncing when a run starts and again when it ends
 * cost an audited run more than its checkers did. Instead each replaced export gets one router
 * for the life of the process: while a run is installed, the exports object holds the router and
 * the router calls the run's replacement; when the run ends the exports object gets its original
 * back, and a binding still holding the router is sent on to whatever the exports object holds
 * (the original, or whatever another party put there since). So the bindings are synced once,
 * at the first run, and again only when someone else's sync put the originals back in them.
 *
 * Between runs a named import of a routed export is the router, not the original function: it
 * behaves as the exports object's function does, with the same `name` and `length`, and the
 * function's own properties read through.
 */
import { syncBuiltinESMExports } from 'node:module';
import crypto from 'node:crypto';
import * as cryptoBindings from 'node:crypto';
import process from 'node:process';
import * as processBindings from 'node:process';
import timers from 'node:timers';
import * as timersBindings from 'node:timers';
import timersPromises from 'node:timers/promises';
import * as timersPromisesBindings from 'node:timers/promises';
import type { Patches } from './patches.js';

/** A replaceable export of a built-in module, as a router calls it. */
export type RoutedFunction = (...args: unknown[]) => unknown;

/** The built-in modules whose exports a run may replace: exports object → its ES bindings. */
const bindingsOf = new Map<object, object>([
  [crypto, cryptoBindings],
  [process, processBindings],
  [timers, timersBindings],
  [timersPromises, timersPromisesBindings],
]);

interface Route {
  readonly exports: Record<string, unknown>;
  readonly name: string;
  readonly router: RoutedFunction;
  /** The running run's function, or undefined between runs. */
  replacement: RoutedFunction | undefined;
}

/** One route per replaced export; the set of names is fixed by the interception (< 20). */
const routes: Route[] = [];
const routesMax = 32;

function routeOf(exports: Record<string, unknown>, name: string): Route {
  const known = routes.find((r) => r.exports === exports && r.name === name);
  if (known !== undefined) return known;
  if (!bindingsOf.has(exports)) throw new Error(`invariant: ${name} is not a routed built-in`);
  if (routes.length >= routesMax) throw new Error('invariant: too many routed built-in exports');
  const original = exports[name] as RoutedFunction;
  /** The function a call goes to now: the run's, else the exports object's. */
  const target = (): RoutedFunction => {
    const current = exports[name] as RoutedFunction;
    return route.replacement ?? (current === router ? original : current);
  };
  // `this` is passed on: some of these read it (a `randomFill` bound to a custom object, say).
  const router = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(target(), this, args);
  };
  Object.defineProperty(router, 'name', { value: original.name });
  Object.defineProperty(router, 'length', { value: original.length });
  // The original's own properties (`process.hrtime.bigint`, `setTimeout`'s
  // `util.promisify.custom`) are read through to the function a call would go to.
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'name' || key === 'length' || key === 'prototype') continue;
    Object.defineProperty(router, key, {
      get: () => (target() as unknown as Record<PropertyKey, unknown>)[key],
    });
  }
  const route: Route = { exports, name, router, replacement: undefined };
  routes.push(route);
  return route;
}

/**
 * Replaces export `name` of the built-in `exports` (and `also[name]` on each further object,
 * e.g. `globalThis` for the global timers) with `replacement` until `patches` is restored.
 */
export function routeBuiltinExport(
  patches: Patches,
  exports: object,
  name: string,
  replacement: RoutedFunction,
  ...also: object[]
): void {
  const route = routeOf(exports as Record<string, unknown>, name);
  if (route.replacement !== undefined) throw new Error(`invariant: ${name} is routed twice`);
  route.replacement = replacement;
  patches.after(() => {
    route.replacement = undefined;
  });
  patches.set(exports, name, route.router);
  for (const target of also) patches.set(target, name, route.router);
}

/**
 * Syncs the built-ins' ES module bindings if one of the routed exports' bindings does not hold its
 * router yet (the first run in this process, or after another party synced).
 */
export function syncBindingsOfRoutes(): void {
  const stale = routes.some(
    (r) => (bindingsOf.get(r.exports) as Record<string, unknown>)[r.name] !== r.router,
  );
  if (stale) syncBuiltinESMExports();
}
