import { z } from 'zod';

/**
 * Configuration: environment variables, read once at start-up and validated. Every field has an
 * embedded default, so `npx sito serve` works on a fresh machine.
 */
const EnvSchema = z.object({
  SITO_DATA_DIR: z.string().min(1).default('./var'),
  /** postgres://… puts the office's whole store on PostgreSQL (several instances share it); unset: SQLite in SITO_DATA_DIR */
  SITO_DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// (or leave it unset for SQLite in SITO_DATA_DIR)'),
  SITO_HOST: z.string().min(1).default('127.0.0.1'),
  SITO_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SITO_API_KEYS: z.string().default(''),
  SITO_RULES_FILE: z.string().optional(),
  /** YAML/JSON file describing this office (its localities and postal codes) for the rules that need it */
  SITO_OFFICE_PROFILE: z.string().optional(),
  /** a transformers.js feature-extraction model folder under SITO_MODELS_DIR, or "none" */
  SITO_EMBEDDING_MODEL: z.string().default('sito-static-pl'),
  /** "model": the active trained model scores (default); "rules": the rules' own weights alone, no model, no embedding */
  SITO_SCORING: z.enum(['model', 'rules']).default('model'),
  SITO_MODELS_DIR: z.string().optional(),
  SITO_THRESHOLD_HIGH: z.coerce.number().gt(0).lt(1).default(0.8),
  SITO_THRESHOLD_REVIEW: z.coerce.number().gt(0).lt(1).default(0.35),
  /** Largest request body accepted, in bytes. */
  SITO_BODY_LIMIT: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  /** Largest training CSV accepted by POST /v1/models, in bytes. */
  SITO_TRAIN_UPLOAD_LIMIT: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  /** Petitions received (or stored) more than this many days ago are erased on their own (RODO); unset: kept. */
  SITO_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  /** The semantic signal compares a petition with at most this many of the newest stored vectors. */
  SITO_VECTOR_INDEX_SIZE: z.coerce.number().int().positive().default(20_000),
  /** Trainings (POST /v1/models) that may run at once; more are answered 429. */
  SITO_TRAINING_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  /** A training over HTTP is stopped after this many seconds. */
  SITO_TRAINING_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(1800),
  /** Scorings that may wait for their turn in one process (src/http/fair-queue.ts); one more is answered 503. */
  SITO_SCORING_QUEUE: z.coerce.number().int().min(1).default(512),
  /** Seconds a client has to send a whole request, body included (slow or trickling uploads are cut off). */
  SITO_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(120),
  /**
   * The TLS-terminating proxy in front of Sito, whose X-Forwarded-Proto / X-Forwarded-For are
   * believed: "true" (any) or addresses/CIDRs ("127.0.0.1,10.0.0.0/8"). Unset: none,
   * so cookies get `Secure` only on a direct https connection.
   */
  SITO_TRUST_PROXY: z.string().optional(),
  /** the cross-office clearinghouse this office reports to and consults (src/clearinghouse/) */
  SITO_CLEARINGHOUSE_URL: z.url().optional(),
  SITO_CLEARINGHOUSE_KEY: z.string().optional(),
  /** shared by the member offices of one clearinghouse; keys the fingerprints that leave the office */
  SITO_FEDERATION_SECRET: z.string().optional(),
  /** how long scoring waits for the clearinghouse, in ms */
  SITO_CLEARINGHOUSE_WAIT_MS: z.coerce.number().int().min(1).max(10_000).default(300),
  /** the longest pause between delivery attempts while the clearinghouse is down, in ms */
  SITO_CLEARINGHOUSE_RETRY_MAX_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  SITO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Thresholds {
  /** score >= high → level "high", track "petycje_masowe" */
  high: number;
  /** score >= review → level "review" */
  review: number;
}

export const KEY_ROLES = ['intake', 'analyst', 'metrics'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export interface ApiKey {
  key: string;
  /** intake: score and read petitions and campaigns; analyst: also train and activate models, read the audit trail; metrics: GET /metrics only */
  role: KeyRole;
}

export interface Config {
  dataDir: string;
  /** the office's store on PostgreSQL (SITO_DATABASE_URL); undefined: SQLite in dataDir */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  apiKeys: ApiKey[];
  rulesFile: string | undefined;
  officeProfile: string | undefined;
  embeddingModel: string;
  /** `rules`: the rules' own weights score (no model, no embedding) — the cheapest screening */
  scoring: 'model' | 'rules';
  modelsDir: string | undefined;
  thresholds: Thresholds;
  bodyLimit: number;
  trainUploadLimit: number;
  logLevel: z.infer<typeof EnvSchema>['SITO_LOG_LEVEL'];
  /** overrides of the document limits (SITO_DOCUMENT_*, SITO_OCR_*; src/ingest/documents/settings.ts) */
  documents?: Partial<import('./ingest/documents/types.js').DocumentLimits>;
  retentionDays: number | undefined;
  vectorIndexSize: number;
  requestTimeoutSeconds: number;
  /** scorings waiting for their turn, at most (one scoring per event-loop iteration) */
  scoringQueue: number;
  trustProxy: boolean | string[];
  trainingConcurrency: number;
  trainingTimeoutSeconds: number;
  /** null: no clearinghouse configured */
  clearinghouse: ClearinghouseConfig | null;
}

export interface ClearinghouseConfig {
  url: string;
  key: string | null;
  secret: string;
  waitMs: number;
  retryMaxMs: number;
}

function clearinghouseConfig(e: z.infer<typeof EnvSchema>): ClearinghouseConfig | null {
  if (!e.SITO_CLEARINGHOUSE_URL) return null;
  const secret = e.SITO_FEDERATION_SECRET ?? '';
  if (secret.length < 16) throw new Error('configuration: SITO_FEDERATION_SECRET: with SITO_CLEARINGHOUSE_URL set, the federation secret shared by member offices is required (at least 16 characters)');
  return { url: e.SITO_CLEARINGHOUSE_URL, key: e.SITO_CLEARINGHOUSE_KEY || null, secret, waitMs: e.SITO_CLEARINGHOUSE_WAIT_MS, retryMaxMs: e.SITO_CLEARINGHOUSE_RETRY_MAX_MS };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const thresholds = { high: e.SITO_THRESHOLD_HIGH, review: e.SITO_THRESHOLD_REVIEW };
  if (thresholds.review >= thresholds.high) {
    throw new Error('configuration: SITO_THRESHOLD_REVIEW must be lower than SITO_THRESHOLD_HIGH');
  }
  return {
    dataDir: e.SITO_DATA_DIR,
    databaseUrl: e.SITO_DATABASE_URL || undefined,
    host: e.SITO_HOST,
    port: e.SITO_PORT,
    apiKeys: parseApiKeys(e.SITO_API_KEYS),
    rulesFile: e.SITO_RULES_FILE,
    officeProfile: e.SITO_OFFICE_PROFILE,
    embeddingModel: e.SITO_SCORING === 'rules' ? 'none' : e.SITO_EMBEDDING_MODEL,
    scoring: e.SITO_SCORING,
    modelsDir: e.SITO_MODELS_DIR,
    thresholds,
    bodyLimit: e.SITO_BODY_LIMIT,
    trainUploadLimit: e.SITO_TRAIN_UPLOAD_LIMIT,
    logLevel: e.SITO_LOG_LEVEL,
    retentionDays: e.SITO_RETENTION_DAYS,
    vectorIndexSize: e.SITO_VECTOR_INDEX_SIZE,
    requestTimeoutSeconds: e.SITO_REQUEST_TIMEOUT_SECONDS,
    scoringQueue: e.SITO_SCORING_QUEUE,
    trustProxy: parseTrustProxy(e.SITO_TRUST_PROXY),
    trainingConcurrency: e.SITO_TRAINING_CONCURRENCY,
    trainingTimeoutSeconds: e.SITO_TRAINING_TIMEOUT_SECONDS,
    clearinghouse: clearinghouseConfig(e),
    ...overrides,
  };
}

/** "a, b,,c" → ["a", "b", "c"]: the comma-separated lists of the configuration. */
export const commaList = (value: string): string[] => value.split(',').map((e) => e.trim()).filter(Boolean);

/** SITO_TRUST_PROXY → fastify's trustProxy: true, or a list of addresses/CIDRs; false when unset. */
export function parseTrustProxy(value: string | undefined): boolean | string[] {
  const v = value?.trim();
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  return commaList(v);
}

/** "k1,k2:analyst" → keys with roles (a key without a role is an intake key). */
export function parseApiKeys(value: string): ApiKey[] {
  return commaList(value).map((entry) => {
    const i = entry.lastIndexOf(':');
    if (i === -1) return { key: entry, role: 'intake' as const };
    const role = entry.slice(i + 1);
    if (!(KEY_ROLES as readonly string[]).includes(role)) throw new Error(`configuration: SITO_API_KEYS: unknown role "${role}" (use ${KEY_ROLES.join(' or ')})`);
    return { key: entry.slice(0, i), role: role as KeyRole };
  });
}
