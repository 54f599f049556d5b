import { randomUUID } from 'node:crypto';
import { MIN_SHINGLES, type Fingerprint } from '../signals/fingerprint/minhash.js';
import type { OutboxRow, OutboxStore } from '../storage/store.js';
import { notConsulted, type Consultation } from './consult.js';
import { encodeSignature, keyFingerprint } from './keyed-fingerprint.js';
import { LookupAnswerSchema, ReportBatchAnswerSchema, type Mark, type Report } from './protocol.js';

export interface OfficeClearinghouseOptions {
  url: string;
  key: string | null;
  secret: string;
  /** how long scoring waits for the clearinghouse's answer */
  waitMs: number;
  /** the longest pause between delivery attempts while the clearinghouse is down */
  retryMaxMs: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export interface ClearinghouseHealth {
  url: string;
  reachable: boolean | null;
  pending_reports: number;
  /** reports and marks the clearinghouse refused for good (in clearinghouse_refused, never sent again) */
  refused_reports: number;
  last_error: string | null;
}

/** Rows sent per request. */
const BATCH = 500;
const FIRST_RETRY_MS = 500;
/** While nothing waits, the outbox is still checked this often (another process may have queued reports). */
const IDLE_MS = 5000;

const today = () => new Date().toISOString().slice(0, 10);
/** The day a petition was received: its received_at's date, else today (UTC). */
export const receivedDay = (receivedAt: string | null | undefined) => (receivedAt && /^\d{4}-\d{2}-\d{2}/.test(receivedAt) ? receivedAt.slice(0, 10) : today());

/** The longest problem kept from a clearinghouse's answer (in the refused row and the log). */
const PROBLEM_CHARS = 300;

/**
 * Whether an answer refuses a request for good: a 4xx that sending the same request again cannot
 * change (400 malformed, 413 too large, 422 …). 401 and 403 (the office key), 408 (a timeout) and
 * 429 (too many requests) may pass later; so may any 5xx. Pure.
 */
export function refusedForGood(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 408 && status !== 429;
}

/**
 * 404 or 405 to POST /v1/reports says the endpoint is not there (a SITO_CLEARINGHOUSE_URL that
 * points elsewhere), not that a report is wrong: retried, so a wrong address never dead-letters
 * the whole outbox. Pure.
 */
export function batchRefusedForGood(status: number): boolean {
  return refusedForGood(status) && status !== 404 && status !== 405;
}

/** The problem a refusal states: its JSON `message` (the clearinghouse's error body), else its text, on one line and bounded. */
export function answerProblem(status: number, body: string): string {
  let said = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof parsed?.message === 'string') said = parsed.message;
    else if (typeof parsed?.error === 'string') said = parsed.error;
  } catch {
    // not JSON: the text as it came (a proxy's page)
  }
  said = oneLine(said);
  return `the clearinghouse answered ${status}${said ? `: ${said}` : ''}`;
}

/** Text from the clearinghouse on one line, at most PROBLEM_CHARS. Pure. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PROBLEM_CHARS ? `${line.slice(0, PROBLEM_CHARS - 1)}…` : line;
}

/** A failure worth retrying that the clearinghouse answered (its status, not a network error). */
class RetryLater extends Error {}

function describeFailure(e: unknown, waitMs: number): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `the clearinghouse did not answer within ${waitMs} ms`;
  const code = err.cause?.code;
  return `the clearinghouse is unreachable (${code ?? err.message})`;
}

/**
 * An office's side of the clearinghouse: consults it while scoring (bounded wait), and reports
 * every stored petition — and clerks' marks — through a durable outbox in the office database,
 * written in the same transaction as the petition, delivered in the background, retried with
 * backoff, idempotent by report id.
 */
export class OfficeClearinghouse {
  readonly url: string;
  private readonly opts: OfficeClearinghouseOptions;
  private readonly outbox: OutboxStore;
  private reachable: boolean | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private delay = FIRST_RETRY_MS;
  private running = false;
  private stopped = true;
  private delivering: Promise<void> | null = null;
  private dirty = false;

  constructor(outbox: OutboxStore, opts: OfficeClearinghouseOptions) {
    this.outbox = outbox;
    this.opts = opts;
    this.url = opts.url.replace(/\/+$/, '');
  }

  /** Where delivery problems are logged (the server's logger). */
  setLogger(log: OfficeClearinghouseOptions['log']) {
    this.opts.log = log;
  }

  private headers(): Record<string, string> {
    return { 'content-type': 'application/json', ...(this.opts.key ? { authorization: `Bearer ${this.opts.key}` } : {}) };
  }

  /** Asks how many other offices received a near-duplicate; never waits longer than waitMs, never throws. */
  async consult(fp: Fingerprint): Promise<Consultation> {
    if (fp.shingles < MIN_SHINGLES) return notConsulted('the text is too short to compare with other offices');
    const keyed = keyFingerprint(fp, this.opts.secret);
    try {
      const res = await fetch(`${this.url}/v1/lookup`, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ signature: encodeSignature(keyed.signature), shingles: keyed.shingles }),
        signal: AbortSignal.timeout(this.opts.waitMs),
      });
      if (!res.ok) {
        const problem = `the clearinghouse answered ${res.status}${res.status === 401 ? ' (the office key was refused)' : ''}`;
        this.reachable = true;
        this.lastError = problem;
        return notConsulted(problem);
      }
      const answer = LookupAnswerSchema.parse(await res.json());
      if (this.reachable === false) this.kick();
      this.reachable = true;
      return { status: { consulted: true, offices: answer.offices }, answer };
    } catch (e) {
      const problem = describeFailure(e, this.opts.waitMs);
      this.reachable = false;
      this.lastError = problem;
      return notConsulted(problem);
    }
  }

  /** Queues a stored petition's report. Call inside the transaction that stores the petition, with its outbox (`tx.outbox`). */
  async enqueueReport(petitionId: string, fp: Fingerprint, receivedAt: string | null | undefined, outbox: OutboxStore = this.outbox): Promise<void> {
    const id = randomUUID();
    const keyed = keyFingerprint(fp, this.opts.secret);
    const report: Report = { id, signature: encodeSignature(keyed.signature), shingles: keyed.shingles, received_day: receivedDay(receivedAt) };
    await outbox.rememberReport(petitionId, id);
    await outbox.enqueue('report', id, JSON.stringify(report), new Date().toISOString());
  }

  /** Queues a clerk's mark on a petition's report (nothing when the petition was never reported). */
  async enqueueMark(petitionId: string, mark: Mark, outbox: OutboxStore = this.outbox): Promise<boolean> {
    const reportId = await outbox.reportIdOf(petitionId);
    if (!reportId) return false;
    await outbox.enqueue('mark', reportId, JSON.stringify({ mark }), new Date().toISOString());
    return true;
  }

  pending(): Promise<number> {
    return this.outbox.pending();
  }

  /** Reports and marks refused for good (kept in clearinghouse_refused). */
  refused(): Promise<number> {
    return this.outbox.refused();
  }

  async health(): Promise<ClearinghouseHealth> {
    return { url: this.url, reachable: this.reachable, pending_reports: await this.pending(), refused_reports: await this.refused(), last_error: this.lastError };
  }

  /**
   * Sends everything waiting, batch by batch; throws on the first failure worth retrying (what was
   * sent stays sent). What the clearinghouse refuses for good never blocks the rows after it: a
   * batch refused for good is split in halves until the reports it refuses are alone, and each of
   * those — like a report listed as rejected in an answer, or a mark refused for good — leaves the
   * queue for clearinghouse_refused. Returns the rows delivered.
   */
  async deliver(timeoutMs = 10_000): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = await this.outbox.next(BATCH);
      if (!rows.length) return sent;
      try {
        const reports = rows.filter((r) => r.kind === 'report');
        if (reports.length) sent += await this.sendReports(reports, timeoutMs);
        for (const m of rows.filter((r) => r.kind === 'mark')) sent += await this.sendMark(m, timeoutMs);
        this.reachable = true;
        this.lastError = null;
      } catch (e) {
        const problem = e instanceof RetryLater ? e.message : describeFailure(e, timeoutMs);
        this.reachable = false;
        this.lastError = problem;
        await this.outbox.failed(rows.map((r) => r.seq), problem);
        throw new Error(problem);
      }
    }
  }

  /** Posts reports; a batch refused for good is halved until each refused report is alone. Returns the reports delivered. */
  private async sendReports(rows: readonly OutboxRow[], timeoutMs: number): Promise<number> {
    const res = await fetch(`${this.url}/v1/reports`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ reports: rows.map((r) => JSON.parse(r.payload) as Report) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) {
      const answer = ReportBatchAnswerSchema.parse(await res.json());
      const rejected = new Map(answer.rejected.map((r) => [r.id, r.problem]));
      const kept = rows.filter((r) => !rejected.has(r.report_id));
      for (const r of rows) {
        if (rejected.has(r.report_id)) await this.refuse(r, `the clearinghouse listed it as rejected: ${oneLine(rejected.get(r.report_id)!)}`, res.status);
      }
      await this.outbox.remove(kept.map((r) => r.seq));
      return kept.length;
    }
    const problem = answerProblem(res.status, await res.text().catch(() => ''));
    if (!batchRefusedForGood(res.status)) throw new RetryLater(`the clearinghouse answered ${res.status} to reports${res.status === 401 ? ' (the office key was refused)' : ''}`);
    if (rows.length === 1) {
      await this.refuse(rows[0]!, problem, res.status);
      return 0;
    }
    const half = Math.ceil(rows.length / 2);
    return (await this.sendReports(rows.slice(0, half), timeoutMs)) + (await this.sendReports(rows.slice(half), timeoutMs));
  }

  /** Puts a mark. Returns 1 when delivered, 0 when dropped (the clearinghouse does not know its report) or refused for good. */
  private async sendMark(m: OutboxRow, timeoutMs: number): Promise<number> {
    const res = await fetch(`${this.url}/v1/reports/${m.report_id}/mark`, { method: 'PUT', headers: this.headers(), body: m.payload, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text().catch(() => '');
    if (res.ok) {
      await this.outbox.remove([m.seq]);
      return 1;
    }
    if (res.status === 404) {
      this.opts.log?.('warn', `clearinghouse does not know report ${m.report_id}; its mark is dropped`);
      await this.outbox.remove([m.seq]);
      return 0;
    }
    // 405: the endpoint is not there (see batchRefusedForGood); 404 is about the report, handled above
    if (res.status === 405 || !refusedForGood(res.status)) throw new RetryLater(`the clearinghouse answered ${res.status} to a mark`);
    await this.refuse(m, answerProblem(res.status, body), res.status);
    return 0;
  }

  /** Moves a row refused for good to clearinghouse_refused and says so once (ids and the clearinghouse's words only: it never sees a text). */
  private async refuse(row: OutboxRow, problem: string, status: number) {
    await this.outbox.refuse([row.seq], problem, status, new Date().toISOString());
    this.opts.log?.('warn', `clearinghouse refused ${row.kind} ${row.report_id} for good (${problem}); kept in clearinghouse_refused, not sent again`);
  }

  /** Starts the background delivery loop. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued: deliver soon (several petitions stored together go in one batch). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.dirty = true;
    else this.schedule(50);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick() {
    this.timer = null;
    if (this.running || this.stopped) return;
    this.running = true;
    const run = (async () => {
      try {
        await this.deliver();
        this.delay = FIRST_RETRY_MS;
        this.running = false;
        this.schedule(this.dirty ? 50 : IDLE_MS);
        this.dirty = false;
      } catch (e) {
        this.opts.log?.('warn', `clearinghouse delivery failed, retrying in ${this.delay} ms: ${(e as Error).message}`);
        this.running = false;
        this.schedule(this.delay);
        this.delay = Math.min(this.opts.retryMaxMs, this.delay * 2);
      }
    })();
    this.delivering = run;
    await run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.delivering?.catch(() => undefined);
  }
}
