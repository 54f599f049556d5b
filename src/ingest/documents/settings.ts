import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../petition-input.js';
import { DEFAULT_POOL, type PoolOptions } from './isolate.js';
import { setOcrConcurrency } from './ocr.js';
import { DEFAULT_LIMITS, type DocumentLimits } from './types.js';

/** How documents are read: the limits of one document and the worker pool (environment, README). */
export interface DocumentSettings {
  limits: DocumentLimits;
  pool: PoolOptions;
  /** largest original kept with a stored petition, bytes (larger ones: the text and parts only) */
  storeLimit: number;
}

const Env = z.object({
  SITO_DOCUMENT_LIMIT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxBytes),
  SITO_DOCUMENT_EXPANDED_LIMIT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxExpandedBytes),
  SITO_DOCUMENT_NESTING: z.coerce.number().int().min(1).max(64).default(DEFAULT_LIMITS.maxNesting),
  SITO_OCR_MAX_PAGES: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.ocrMaxPages),
  SITO_OCR_TIMEOUT: z.coerce.number().positive().default(DEFAULT_LIMITS.ocrTimeoutMs / 1000),
  SITO_DOCUMENT_TIMEOUT: z.coerce.number().positive().default(DEFAULT_POOL.timeoutMs / 1000),
  SITO_DOCUMENT_WORKERS: z.coerce.number().int().min(1).max(64).default(DEFAULT_POOL.size),
  SITO_DOCUMENT_STORE_LIMIT: z.coerce.number().int().min(0).optional(),
  SITO_DOCUMENT_MEMORY: z.coerce.number().int().min(64).default(DEFAULT_POOL.growthMb),
  SITO_OCR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
});

export function documentSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<DocumentLimits> = {}): DocumentSettings {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const limits: DocumentLimits = {
    ...DEFAULT_LIMITS,
    maxBytes: e.SITO_DOCUMENT_LIMIT,
    maxExpandedBytes: e.SITO_DOCUMENT_EXPANDED_LIMIT,
    maxNesting: e.SITO_DOCUMENT_NESTING,
    ocrMaxPages: e.SITO_OCR_MAX_PAGES,
    ocrTimeoutMs: Math.round(e.SITO_OCR_TIMEOUT * 1000),
    maxTextChars: MAX_TEXT_LENGTH,
    ...overrides,
  };
  setOcrConcurrency(e.SITO_OCR_CONCURRENCY);
  return {
    limits,
    pool: { ...DEFAULT_POOL, size: e.SITO_DOCUMENT_WORKERS, timeoutMs: Math.round(e.SITO_DOCUMENT_TIMEOUT * 1000), growthMb: e.SITO_DOCUMENT_MEMORY },
    storeLimit: e.SITO_DOCUMENT_STORE_LIMIT ?? limits.maxBytes,
  };
}
