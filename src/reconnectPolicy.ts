/**
 * Reconnect backoff policy: how long the supervisor waits before each connection attempt after
 * a close, and how many consecutive failed attempts it makes before giving up.
 */

/** Backoff settings. Defaults are openclaw's web reconnect policy. */
export interface ReconnectPolicy {
  /** Delay before the first reconnect attempt. */
  initialMs: number;
  /** Upper bound on any single delay (before jitter). */
  maxMs: number;
  /** Growth per attempt; at least 1. */
  factor: number;
  /** Fraction of the delay randomised, in [0, 1]: delay * (1 ± jitter). */
  jitter: number;
  /**
   * Consecutive connection attempts after a close before the supervisor gives up. `1` still
   * waits once and tries once (openclaw review finding: `maxAttempts = 1` must not mean "no wait").
   */
  maxAttempts: number;
}

/** openclaw's defaults. */
export const defaultReconnectPolicy: Readonly<ReconnectPolicy> = Object.freeze({
  initialMs: 2000,
  maxMs: 30000,
  factor: 1.8,
  jitter: 0.25,
  maxAttempts: 12,
});

/** Hard ceiling on `maxAttempts`: a reconnect storm gets clients rate-limited or banned. */
export const reconnectAttemptsLimit = 1000;

/** Thrown when a policy or option is invalid; the message names the field and the problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Checks a (partial) policy against the defaults and returns a complete, frozen one.
 * @throws ConfigError naming the first bad field, e.g. `reconnect.factor must be >= 1 (got 0.5)`.
 */
export function validateReconnectPolicy(
  input?: Partial<ReconnectPolicy>,
  path = 'reconnect',
): Readonly<ReconnectPolicy> {
  if (input === undefined) return defaultReconnectPolicy; // frozen, and valid by the tests
  const policy: ReconnectPolicy = { ...defaultReconnectPolicy, ...input };
  requireNumber(policy.initialMs, path, 'initialMs', 0, Number.MAX_SAFE_INTEGER);
  requireNumber(policy.maxMs, path, 'maxMs', 0, Number.MAX_SAFE_INTEGER);
  requireNumber(policy.factor, path, 'factor', 1, 100);
  requireNumber(policy.jitter, path, 'jitter', 0, 1);
  requireNumber(policy.maxAttempts, path, 'maxAttempts', 1, reconnectAttemptsLimit);
  if (!Number.isInteger(policy.maxAttempts)) {
    throw new ConfigError(`${path}.maxAttempts must be a whole number (got ${policy.maxAttempts})`);
  }
  if (policy.maxMs < policy.initialMs) {
    throw new ConfigError(
      `${path}.maxMs must be >= ${path}.initialMs (got maxMs ${policy.maxMs} < initialMs ` +
        `${policy.initialMs})`,
    );
  }
  return Object.freeze(policy);
}

/**
 * Delay before reconnect attempt `attempt` (1-based): `initialMs * factor^(attempt-1)`, capped
 * at `maxMs`, then spread by ±`jitter` using one draw from `random`. Pure given `random`.
 */
export function computeBackoff(
  policy: ReconnectPolicy,
  attempt: number,
  random: () => number,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new ConfigError(`attempt must be a whole number >= 1 (got ${attempt})`);
  }
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** (attempt - 1));
  const draw = random();
  // A draw outside [0, 1) would silently break the jitter bound: fail loudly instead.
  if (!(draw >= 0 && draw < 1))
    throw new RangeError(`random() must return a number in [0, 1) (got ${draw})`);
  const spread = base * policy.jitter * (2 * draw - 1);
  return Math.max(0, Math.round(base + spread));
}

/** The field's name is joined to `path` only for a message: a valid policy builds no strings. */
function requireNumber(
  value: unknown,
  path: string,
  field: string,
  min: number,
  max: number,
): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ConfigError(`${path}.${field} must be a number (got ${String(value)})`);
  }
  if (value < min || value > max) {
    throw new ConfigError(`${path}.${field} must be between ${min} and ${max} (got ${value})`);
  }
}
