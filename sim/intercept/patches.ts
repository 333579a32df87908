/**
 * Property replacements that are undone exactly: each `set` records the property's own
 * descriptor (or that it had none, when the original lives on a prototype) and `restore` puts
 * every one back in reverse order, even when a step of it throws, then runs the `after` steps.
 */

interface Saved {
  readonly target: object;
  readonly name: PropertyKey;
  readonly descriptor: PropertyDescriptor | undefined;
}

/** A set of replaced properties, restored together. */
export class Patches {
  readonly #saved: Saved[] = [];
  readonly #after: (() => void)[] = [];
  #restored = false;

  /**
   * Replaces `target[name]` with `value` (a writable, configurable data property) until {@link
   * restore}.
   */
  set(target: object, name: PropertyKey, value: unknown): void {
    if (this.#restored) throw new Error('invariant: a restored patch set is not reused');
    this.#saved.push({ target, name, descriptor: Object.getOwnPropertyDescriptor(target, name) });
    Object.defineProperty(target, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: this.#saved.at(-1)!.descriptor?.enumerable ?? false,
    });
  }

  /** Runs `step` after the properties are back (e.g. to resync what depends on them). */
  after(step: () => void): void {
    this.#after.push(step);
  }

  /**
   * Puts every property back as it was; the first error (if any) is thrown once all are back.
   * Idempotent.
   */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    let failure: { error: unknown } | undefined;
    const attempt = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        failure ??= { error };
      }
    };
    for (const { target, name, descriptor } of this.#saved.reverse()) {
      attempt(() => {
        if (descriptor === undefined) delete (target as Record<PropertyKey, unknown>)[name];
        else Object.defineProperty(target, name, descriptor);
      });
    }
    for (const step of this.#after) attempt(step);
    if (failure !== undefined) throw failure.error;
  }
}
