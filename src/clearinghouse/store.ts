import type { KeyedFingerprint } from './keyed-fingerprint.js';
import type { LookupAnswer, Mark, ReportBatchAnswer } from './protocol.js';

/** A report as the clearinghouse keeps it (the wire form, decoded). */
export interface IncomingReport {
  id: string;
  fingerprint: KeyedFingerprint;
  receivedDay: string;
  mark: Mark;
}

export interface OwnReport {
  id: string;
  received_day: string;
  mark: Mark;
}

/**
 * What the clearinghouse keeps: per office, keyed fingerprints with days and marks, grouped into
 * clusters of near-duplicates at insert time. SQLite (one process or several on one machine) and
 * PostgreSQL (several machines, one region) implement it; the same tests run against both.
 */
export interface ClearinghouseStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores reports of one office; a report id already stored (a retry) changes nothing. */
  addReports(office: string, reports: readonly IncomingReport[]): Promise<ReportBatchAnswer>;
  /** Sets the mark on one of the office's own reports; false when the office has no such report. */
  setMark(office: string, reportId: string, mark: Mark): Promise<boolean>;
  /** One of the office's own reports (another office's report is "not found"). */
  ownReport(office: string, reportId: string): Promise<OwnReport | null>;
  /** Other offices (each once) that reported a near-duplicate, the earliest day, and marks as counts. */
  lookup(office: string, fp: KeyedFingerprint): Promise<LookupAnswer>;
  stats(): Promise<{ reports: number; clusters: number; offices: number }>;
  close(): Promise<void>;
}
