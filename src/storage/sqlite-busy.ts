/** SQLite's "database is locked" (and its WAL variants). */
export function isBusy(e: unknown): boolean {
  return typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY');
}

/** How long opening a database keeps trying while other processes hold it. */
const OPEN_BUSY_MS = 30_000;

/**
 * Runs the steps of opening a database again while SQLite answers "database is locked". Processes
 * opening one new database together (serve --workers N, several CLI commands) queue on its locks,
 * and SQLite does not call its busy handler on every locking path: eight processes opening one new
 * file on a loaded machine got "database is locked" at once, long before the busy timeout. Every
 * step is idempotent (pragmas; migrations and the search-index fill re-check inside their
 * transactions), so the steps are run again.
 */
export function retryWhileBusy(steps: () => void): void {
  const until = Date.now() + OPEN_BUSY_MS;
  for (let pause = 5; ; pause = Math.min(200, pause * 2)) {
    try {
      steps();
      return;
    } catch (e) {
      if (!isBusy(e) || Date.now() > until) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause + Math.random() * pause);
    }
  }
}
