import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import type { Engine } from '../engine.js';
import { DocumentError } from '../ingest/documents/errors.js';
import { ExtractionPool } from '../ingest/documents/isolate.js';
import { scoreDocument, type DocumentKeeper } from '../ingest/documents/score-document.js';
import type { DocumentSettings } from '../ingest/documents/settings.js';
import type { Embedder } from '../signals/embedding/embedder.js';

/**
 * `sito score --documents FILE…`: each file (e-mail, PDF, DOCX, ODT, .msg, text, image) read and
 * scored, one result with `document` per line, in argument order. A file that cannot be read is
 * named on stderr and the others are still scored; returns how many failed.
 */
export async function scoreDocuments(
  deps: { engine: Engine; embedder: Embedder | null; settings: DocumentSettings; keeper: DocumentKeeper | null },
  files: string[],
  opts: { store: boolean },
  out: Writable,
  err: Writable,
): Promise<number> {
  const pool = new ExtractionPool(deps.settings.pool);
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const size = (await stat(file)).size;
        if (size > deps.settings.limits.maxBytes) throw new DocumentError('too_large', `${size} bytes, more than the limit of ${deps.settings.limits.maxBytes} (SITO_DOCUMENT_LIMIT)`);
        const bytes = await readFile(file);
        const result = await scoreDocument({ ...deps, pool }, { bytes, contentType: null, filename: basename(file), store: opts.store });
        if (!out.write(`${JSON.stringify(result)}\n`)) await once(out, 'drain');
      } catch (e) {
        failed++;
        const code = (e as NodeJS.ErrnoException).code;
        const why = e instanceof DocumentError ? `${e.message} (${e.code})` : code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
        err.write(`sito: ${file}: ${why}\n`);
      }
    }
  } finally {
    await pool.close();
  }
  return failed;
}
