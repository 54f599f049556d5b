/**
 * A lock for asynchronous code in one process: whoever holds it runs alone until it releases it;
 * the others wait in arrival order. SQLite's connection is shared by every request of a process,
 * and between the awaits of an open transaction another request's code can run: this lock keeps
 * it out of the transaction (it waits until the transaction ends).
 */
export class AsyncLock {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  get busy(): boolean {
    return this.held;
  }

  /** Resolves once the lock is this caller's; release it exactly once. */
  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // handed straight to the next waiter: nobody can slip in between
    if (next) next();
    else this.held = false;
  }
}

/** How a store runs one synchronous database call: through its lock, or inside its open transaction. */
export type Run = <T>(f: () => T) => Promise<T>;

type Facade<C, K extends keyof C> = { [P in K]: C[P] extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never };

/** `core`'s methods named in `names`, each made asynchronous by running through `run`. */
export function facade<C extends object, K extends keyof C>(core: C, names: readonly K[], run: Run): Facade<C, K> {
  const out = {} as Record<K, unknown>;
  for (const name of names) {
    const method = core[name] as unknown as (...a: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => run(() => method.apply(core, args));
  }
  return out as Facade<C, K>;
}
