/**
 * Why a document could not be read. Every extractor throws only this (anything else a parser
 * throws is wrapped as `corrupt`), so callers can answer with a clear 4xx.
 */
export const DOCUMENT_ERROR_CODES = [
  'unsupported_type',
  'type_mismatch',
  'corrupt',
  'encrypted',
  'too_large',
  'too_large_expanded',
  'too_many_pages',
  'too_deep',
  'timeout',
  'empty',
  'ocr_unavailable',
  'busy',
] as const;
export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];

const STATUS: Record<DocumentErrorCode, number> = {
  unsupported_type: 415,
  type_mismatch: 415,
  corrupt: 422,
  encrypted: 422,
  too_large: 413,
  too_large_expanded: 413,
  too_many_pages: 413,
  too_deep: 422,
  timeout: 422,
  empty: 422,
  ocr_unavailable: 422,
  busy: 503,
};

export class DocumentError extends Error {
  readonly code: DocumentErrorCode;
  constructor(code: DocumentErrorCode, message: string) {
    super(message);
    this.name = 'DocumentError';
    this.code = code;
  }

  /** The HTTP status a caller gets for this error. */
  get status(): number {
    return STATUS[this.code];
  }
}

export const isDocumentError = (e: unknown): e is DocumentError => e instanceof DocumentError;

/** Wraps whatever a parser threw as a `corrupt` error naming the part, unless it is already typed. */
export function asDocumentError(e: unknown, what: string): DocumentError {
  if (e instanceof DocumentError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /allocation|memory|Invalid array length|Invalid string length/i.test(msg)) {
    return new DocumentError('too_large_expanded', `${what}: too large to read (${msg.slice(0, 120)})`);
  }
  return new DocumentError('corrupt', `${what} cannot be read: ${msg.slice(0, 200) || 'malformed'}`);
}
