import { parentPort } from 'node:worker_threads';
import { DocumentError } from './errors.js';
import { extractDocument } from './extract.js';
import type { DocumentLimits, Extraction } from './types.js';

export interface ExtractJob {
  id: number;
  bytes: Uint8Array;
  contentType: string | null | undefined;
  name: string | null;
  limits: DocumentLimits;
}

export type ExtractReply = { id: number; ok: true; extraction: Extraction } | { id: number; ok: false; code: DocumentError['code']; message: string };

/** The worker side of isolate.ts: one job at a time, answered with the extraction or a typed error. */
parentPort?.on('message', async (job: ExtractJob) => {
  let reply: ExtractReply;
  try {
    reply = { id: job.id, ok: true, extraction: await extractDocument(job.bytes, job.contentType, job.name, job.limits) };
  } catch (e) {
    const err = e instanceof DocumentError ? e : new DocumentError('corrupt', `the document cannot be read: ${(e as Error)?.message ?? e}`);
    reply = { id: job.id, ok: false, code: err.code, message: err.message };
  }
  const transfer = reply.ok ? reply.extraction.segments.flatMap((s) => (s.kind !== 'text' && s.bytes ? [s.bytes.buffer as ArrayBuffer] : [])) : [];
  parentPort!.postMessage(reply, [...new Set(transfer)]);
});

// the readers are loaded: the pool starts timing jobs from here
parentPort?.postMessage({ ready: true });
