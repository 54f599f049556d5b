import type { Store, ThrottleScope } from '../storage/store.js';

/**
 * Sign-in throttling, per account and per client address. The counters live in the database, not
 * in the process: `sito serve --workers N` runs N processes that share the data folder, and an
 * in-memory limiter (such as @fastify/rate-limit's default store) would allow N times the attempts
 * and forget them on a restart. Fixed windows: after `limit` failures within `windowSeconds` of the
 * first, every attempt — even with the right password — is answered 429 until the window ends.
 * A successful sign-in clears the account's counter.
 */
export interface ThrottlePolicy {
  account: { limit: number; windowSeconds: number };
  address: { limit: number; windowSeconds: number };
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  account: { limit: 5, windowSeconds: 15 * 60 },
  address: { limit: 20, windowSeconds: 15 * 60 },
};

const keysOf = (login: string, address: string): Array<[ThrottleScope, string]> => [
  ['account', login.trim().toLowerCase().slice(0, 64)],
  ['address', address],
];

/** Seconds until a sign-in may be tried again (0: it may be tried now). */
export async function throttledFor(store: Store, policy: ThrottlePolicy, login: string, address: string, now = Date.now()): Promise<number> {
  let wait = 0;
  for (const [scope, key] of keysOf(login, address)) {
    const f = await store.loginFailures(scope, key);
    if (!f) continue;
    const end = Date.parse(f.window_start) + policy[scope].windowSeconds * 1000;
    if (end > now && f.failures >= policy[scope].limit) wait = Math.max(wait, Math.ceil((end - now) / 1000));
  }
  return wait;
}

/** Counts a failed sign-in against the account and the address; returns the seconds now to wait. */
export async function recordFailure(store: Store, policy: ThrottlePolicy, login: string, address: string, now = Date.now()): Promise<number> {
  return store.writeTransaction(async (tx) => {
    for (const [scope, key] of keysOf(login, address)) {
      const f = await tx.loginFailures(scope, key);
      const open = f && Date.parse(f.window_start) + policy[scope].windowSeconds * 1000 > now;
      if (open) await tx.setLoginFailures(scope, key, f.window_start, f.failures + 1);
      else await tx.setLoginFailures(scope, key, new Date(now).toISOString(), 1);
    }
    return throttledFor(tx, policy, login, address, now);
  });
}

export async function recordSuccess(store: Store, login: string): Promise<void> {
  await store.writeTransaction((tx) => tx.clearLoginFailures('account', login.trim().toLowerCase().slice(0, 64)));
}
