/**
 * One scoring per event-loop iteration.
 *
 * Scoring is CPU-bound and synchronous (normalisation, rules, fingerprint, model: ≈ 7 ms of the
 * 24 KB seed). Run straight from the request handler, every request whose body arrived in the same
 * poll phase is scored in that phase, back to back, and nothing else happens meanwhile: a busy
 * process then accepts about one new connection per iteration, so under 16 connections opened at
 * once the last one's first request waited 1.5 s (README "Speed").
 *
 * Here a request asks for a turn instead: the waiting jobs form a FIFO queue and each one starts in
 * its own `setImmediate` callback (the check phase), one per loop iteration, so the poll phase —
 * accepting connections, reading and parsing new requests — runs between two scorings, and an
 * early request is never overtaken by a later one.
 *
 * A job holds its turn only while it runs synchronously: its promise is not awaited before the next
 * job is started. With SQLite (synchronous) a scoring is one piece of work; where it waits on real
 * I/O (PostgreSQL, the clearinghouse) the rest of it runs when that I/O completes, like any other
 * callback, and the queue does not sit idle through the wait.
 *
 * The queue is bounded: past `limit` waiting jobs `run` refuses at once (QueueFullError → 503 with
 * Retry-After), rather than holding parsed bodies for longer than any client waits.
 *
 * `drain` waits until every queued job has run to its end: the server awaits it before it closes
 * the store, so that a scoring whose client has gone (its socket no longer holds the server open)
 * still finishes against an open database instead of failing half-way.
 */

/** Thrown by `FairQueue.run` when `limit` jobs already wait. */
export class QueueFullError extends Error {
  constructor(
    readonly waiting: number,
    /** seconds after which sending again makes sense (Retry-After) */
    readonly retryAfter: number,
  ) {
    super(`${waiting} scorings are waiting already; send again in ${retryAfter} s`);
    this.name = 'QueueFullError';
  }
}

/** How a job is deferred to the next iteration's check phase; tests can pass their own. */
export type Defer = (fn: () => void) => void;

export interface FairQueueOptions {
  /** jobs that may wait at once; one more is refused with QueueFullError */
  limit: number;
  /** Retry-After of a refusal, in seconds */
  retryAfter?: number;
  defer?: Defer;
}

export class FairQueue {
  private readonly jobs: Array<() => void> = [];
  private scheduled = false;
  /** jobs started whose promise has not settled yet */
  private running = 0;
  private readonly idle: Array<() => void> = [];
  readonly limit: number;
  private readonly retryAfter: number;
  private readonly defer: Defer;
  /** jobs started since the queue was made, and refused */
  started = 0;
  refused = 0;

  constructor(o: FairQueueOptions) {
    if (!Number.isInteger(o.limit) || o.limit < 1) throw new Error(`fair queue: limit must be a positive whole number, got ${o.limit}`);
    this.limit = o.limit;
    this.retryAfter = o.retryAfter ?? 1;
    this.defer = o.defer ?? ((fn) => void setImmediate(fn));
  }

  /** jobs waiting for their turn */
  get waiting(): number {
    return this.jobs.length;
  }

  /**
   * Runs `job` in its own turn, after every job queued before it; resolves or rejects as the job
   * does. Rejects with QueueFullError, without queueing, when `limit` jobs already wait.
   */
  run<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.jobs.length >= this.limit) {
      this.refused++;
      return Promise.reject(new QueueFullError(this.jobs.length, this.retryAfter));
    }
    return new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        this.running++;
        // a job that throws (synchronously or not) fails its own caller only
        let result: Promise<T>;
        try {
          result = Promise.resolve(job());
        } catch (e) {
          result = Promise.reject(e);
        }
        result.then(resolve, reject).finally(this.settled);
      });
      this.schedule();
    });
  }

  /** Resolves once no job waits and every started job has settled (at once when the queue is idle). */
  drain(): Promise<void> {
    if (this.jobs.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private readonly settled = () => {
    this.running--;
    if (this.jobs.length === 0 && this.running === 0) for (const wake of this.idle.splice(0)) wake();
  };

  private schedule() {
    if (this.scheduled || this.jobs.length === 0) return;
    this.scheduled = true;
    this.defer(this.next);
  }

  /** One job, then the next one in the next iteration (an immediate queued now runs in the next check phase). */
  private readonly next = () => {
    this.scheduled = false;
    const job = this.jobs.shift();
    if (job) {
      this.started++;
      job();
    }
    this.schedule();
  };
}
