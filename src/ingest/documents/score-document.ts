import type { ScoreResult } from '../../decision/result.js';
import type { Engine } from '../../engine.js';
import type { Embedder } from '../../signals/embedding/embedder.js';
import { prepareScoring } from '../../runtime.js';
import { describeIssues, PetitionInputSchema } from '../petition-input.js';
import { DocumentError } from './errors.js';
import type { ExtractionPool } from './isolate.js';
import { readDocument } from './read-document.js';
import type { DocumentSettings } from './settings.js';
import type { ReadDocument } from './types.js';
import type { FairQueue } from '../../http/fair-queue.js';

export interface IncomingDocument {
  bytes: Uint8Array;
  contentType: string | null;
  filename: string | null;
  id?: string | undefined;
  store: boolean;
}

/** What keeps an original document with its stored petition (the office store). */
export interface DocumentKeeper {
  putDocument(d: { petitionId: string; text: string; contentType: string; filename: string | null; bytes: Uint8Array | null; document: Pick<ReadDocument, 'parts' | 'skipped'> }): Promise<void>;
}

export type DocumentScore = ScoreResult & { document: Pick<ReadDocument, 'text' | 'parts' | 'skipped'> };

/**
 * A document as offices receive it → one score result: read (extractors in the pool, OCR), the
 * e-mail's headers as sender/subject/date, scored as any petition, and, when stored, the original
 * kept beside it (up to the store limit). Evidence offsets index `document.text`.
 */
export async function scoreDocument(
  deps: { engine: Engine; embedder?: Embedder | null; pool?: ExtractionPool | null; settings: DocumentSettings; keeper?: DocumentKeeper | null; signal?: AbortSignal; scoring?: FairQueue },
  input: IncomingDocument,
): Promise<DocumentScore> {
  const doc = await readDocument(input.bytes, input.contentType, input.filename, { limits: deps.settings.limits, pool: deps.pool ?? null, ...(deps.signal ? { signal: deps.signal } : {}) });
  const parsed = PetitionInputSchema.safeParse({
    text: doc.text,
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...doc.meta,
    store: input.store,
  });
  if (!parsed.success) throw new DocumentError('corrupt', `the document's ${describeIssues(parsed.error)}`);
  const petition = parsed.data;
  // the CPU-bound step takes its turn in the server's queue (one scoring per event-loop iteration)
  const score = async () => {
    const { analysis, vector } = await prepareScoring({ engine: deps.engine, embedder: deps.embedder ?? null }, petition);
    return deps.engine.score(petition, vector, analysis);
  };
  const result = await (deps.scoring ? deps.scoring.run(score) : score());
  if (petition.store && deps.keeper) {
    const keep = input.bytes.byteLength <= deps.settings.storeLimit;
    await deps.keeper.putDocument({
      petitionId: result.id,
      text: doc.text,
      contentType: doc.type,
      filename: input.filename,
      bytes: keep ? input.bytes : null,
      document: { parts: doc.parts, skipped: keep ? doc.skipped : [...doc.skipped, { name: input.filename ?? 'dokument', reason: `oryginał nie zachowany: ponad ${deps.settings.storeLimit} bajtów` }] },
    });
  }
  return { ...result, document: { text: doc.text, parts: doc.parts, skipped: doc.skipped } };
}
