import mammoth from 'mammoth';
import { asDocumentError, DocumentError } from './errors.js';
import { openZip, repack } from './zip-guard.js';
import type { DocumentLimits } from './types.js';

/**
 * A DOCX's text (mammoth's raw text: paragraphs, tables, lists). The zip is checked and
 * re-packed first (zip-guard), so mammoth never inflates more than the limit allows.
 */
export async function readDocx(bytes: Uint8Array, what: string, limits: DocumentLimits): Promise<string> {
  const files = openZip(bytes, what, limits.maxExpandedBytes, (n) => !n.startsWith('word/media/'));
  if (!files['word/document.xml']) throw new DocumentError('corrupt', `${what} is not a Word document (no word/document.xml inside)`);
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(repack(files)) });
    return value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (e) {
    throw asDocumentError(e, what);
  }
}
