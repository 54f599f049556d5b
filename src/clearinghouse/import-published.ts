import { createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { describeIssues } from '../ingest/petition-input.js';
import { LineError, readJsonLines } from '../ingest/jsonl.js';
import { normalise } from '../normalise/normalise.js';
import { fingerprint } from '../signals/fingerprint/minhash.js';
import { keyFingerprint } from './keyed-fingerprint.js';
import type { ClearinghouseStore, IncomingReport } from './store.js';

/** One line of a crawl of offices' published petitions (art. 8 of the Petitions Act). */
export const PublishedSchema = z.object({
  office: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'office must be an office id (letters, digits, ".", "_", "-"), as in SITO_CLEARINGHOUSE_KEYS'),
  url: z.string().min(1, 'url is required').max(4000),
  published_at: z.iso.date().or(z.iso.datetime({ offset: true, local: true })),
  text: z.string().refine((t) => t.trim().length > 0, 'text must not be empty'),
});

/** A stable report id for a published petition (re-importing the same crawl changes nothing), keyed so it reveals nothing about the URL. */
export function publishedReportId(secret: string, office: string, url: string): string {
  const h = createHmac('sha256', secret).update(`published\0${office}\0${url}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface ImportProgress {
  (done: number): void;
}

/**
 * Fingerprints published petitions (keyed) and stores them as reports of the publishing office.
 * No text, URL or title is kept. The file is checked whole first, so a bad line (named by its
 * number) leaves the store untouched.
 */
export async function importPublished(
  open: () => Readable,
  store: ClearinghouseStore,
  secret: string,
  progress?: ImportProgress,
): Promise<{ lines: number; accepted: number; duplicates: number; rejected: number }> {
  let lines = 0;
  for await (const { line, value } of readJsonLines(open())) {
    const parsed = PublishedSchema.safeParse(value);
    if (!parsed.success) throw new LineError(line, describeIssues(parsed.error));
    lines++;
  }
  const out = { lines, accepted: 0, duplicates: 0, rejected: 0 };
  const byOffice = new Map<string, IncomingReport[]>();
  let done = 0;
  const flush = async () => {
    for (const [office, reports] of byOffice) {
      const a = await store.addReports(office, reports);
      out.accepted += a.accepted;
      out.duplicates += a.duplicates;
      out.rejected += a.rejected.length;
    }
    byOffice.clear();
    progress?.(done);
  };
  let pending = 0;
  for await (const { value } of readJsonLines(open())) {
    const p = PublishedSchema.parse(value);
    const keyed = keyFingerprint(fingerprint(normalise(p.text).folded), secret);
    const list = byOffice.get(p.office) ?? [];
    list.push({ id: publishedReportId(secret, p.office, p.url), fingerprint: keyed, receivedDay: p.published_at.slice(0, 10), mark: null });
    byOffice.set(p.office, list);
    done++;
    if (++pending >= 500) {
      await flush();
      pending = 0;
    }
  }
  await flush();
  return out;
}
