import { unzipSync, zipSync, type Unzipped } from 'fflate';
import { asDocumentError, DocumentError } from './errors.js';

/** Most entries a DOCX/ODT may hold (a real one has tens). */
const MAX_ENTRIES = 5000;

/**
 * Opens a zip-based document without trusting it: the central directory's sizes are summed
 * first (a zip bomb is refused before anything is inflated), then the entries `want` accepts are
 * inflated into buffers of exactly their declared sizes, so an entry that lies about its size
 * cannot grow past what was checked.
 */
export function openZip(bytes: Uint8Array, what: string, maxExpanded: number, want: (name: string) => boolean = () => true): Unzipped {
  let total = 0;
  let entries = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        entries++;
        if (want(f.name)) total += f.originalSize;
        return false;
      },
    });
  } catch (e) {
    throw asDocumentError(e, what);
  }
  if (entries > MAX_ENTRIES) throw new DocumentError('too_large_expanded', `${what}: ${entries} files inside, more than ${MAX_ENTRIES}`);
  if (total > maxExpanded) {
    throw new DocumentError('too_large_expanded', `${what} expands to ${mb(total)}, more than the limit of ${mb(maxExpanded)} (SITO_DOCUMENT_EXPANDED_LIMIT)`);
  }
  try {
    return unzipSync(bytes, { filter: (f) => want(f.name) });
  } catch (e) {
    throw asDocumentError(e, what);
  }
}

/** The checked entries packed again (stored, not compressed), for a library that opens the zip itself. */
export function repack(files: Unzipped): Uint8Array {
  return zipSync(files, { level: 0 });
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
