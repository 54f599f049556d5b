import { getDocumentProxy } from 'unpdf';
import { asDocumentError, DocumentError } from './errors.js';
import type { DocumentLimits } from './types.js';

/** A page with fewer letters than this in its text layer is a scan: OCR reads it. */
const MIN_LETTERS = 12;

interface TextItem {
  str?: string;
  hasEOL?: boolean;
}

/**
 * The text layer of each page (pdf.js through unpdf), `null` for a page without one. An
 * encrypted PDF that needs a password is `encrypted`; one pdf.js cannot parse is `corrupt`.
 */
export async function readPdf(bytes: Uint8Array, what: string, limits: DocumentLimits): Promise<Array<string | null>> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // a copy: pdf.js detaches the buffer it is given
    pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') throw new DocumentError('encrypted', `${what} is encrypted with a password; send it without the password`);
    throw asDocumentError(e, what);
  }
  try {
    if (pdf.numPages > limits.maxPdfPages) throw new DocumentError('too_many_pages', `${what} has ${pdf.numPages} pages, more than the limit of ${limits.maxPdfPages}`);
    const pages: Array<string | null> = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items as TextItem[]) {
        text += item.str ?? '';
        if (item.hasEOL) text += '\n';
      }
      page.cleanup();
      const letters = text.match(/\p{L}/gu)?.length ?? 0;
      pages.push(letters < MIN_LETTERS ? null : text.replace(/[ \t]+\n/g, '\n').trim());
    }
    return pages;
  } catch (e) {
    throw asDocumentError(e, what);
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
