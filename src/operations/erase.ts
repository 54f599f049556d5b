import type { Store } from '../storage/store.js';

/**
 * Erasing petitions (RODO): one by id, or every petition received (else stored) before a date.
 * The text and personal data go; fingerprints, scores and campaign counts stay. Each erasure is
 * recorded in the audit trail, in the same transaction.
 */
export async function erasePetition(store: Store, id: string, actor: string, address: string | null): Promise<boolean> {
  return store.writeTransaction(async (tx) => {
    const erased = await tx.erasePetitions({ id }, new Date().toISOString());
    if (erased.length) await tx.recordAudit({ at: new Date().toISOString(), actor, address, action: 'delete', target: id, detail: null });
    return erased.length > 0;
  });
}

/** `recordNothing`: whether a purge that erased nothing is recorded too (a person's command: yes; the hourly retention run: no). */
export async function purgeBefore(store: Store, before: Date, actor: string, address: string | null, recordNothing = true): Promise<number> {
  return store.writeTransaction(async (tx) => {
    const erased = await tx.erasePetitions({ before: before.toISOString() }, new Date().toISOString());
    if (erased.length > 0 || recordNothing) await tx.recordAudit({ at: new Date().toISOString(), actor, address, action: 'purge', target: null, detail: { before: before.toISOString(), petitions: erased.length } });
    return erased.length;
  });
}

/**
 * SITO_RETENTION_DAYS: purges petitions older than `days` at start and then every hour. Several
 * workers may each run it: erasing skips what is already erased, so they do not conflict.
 */
export function startRetention(store: Store, days: number, log: { info: (msg: string) => void; error: (o: object, msg: string) => void }): () => void {
  const run = async () => {
    try {
      const n = await purgeBefore(store, new Date(Date.now() - days * 86_400_000), 'retention', null, false);
      if (n > 0) log.info(`retention: erased ${n} petitions older than ${days} days`);
    } catch (e) {
      log.error({ err: e }, 'retention purge failed');
    }
  };
  void run();
  const timer = setInterval(() => void run(), 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}
