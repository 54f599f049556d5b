/**
 * What the asynchronous store costs over the synchronous SQLite core it wraps: the storing
 * transaction of one petition (LSH look-up, id check, insert with band keys), run N times through
 * each, in alternating batches in one process so that a shared machine's load falls on both.
 * Generated petitions (templates and unrelated ones), fingerprinted before timing.
 *   npm run bench -- store [--petitions=N]      (default 4 000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalise } from '../../src/normalise/normalise.js';
import { bandKeys, fingerprint } from '../../src/signals/fingerprint/minhash.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { NewPetition } from '../../src/storage/store.js';
import { table } from './corpus.js';
import { makeLocal, makeTemplate, makeVariant, rng } from './generate-petitions.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export async function benchStore(n: number) {
  const r = rng(20261204);
  const templates = Array.from({ length: 40 }, () => makeTemplate(r));
  const make = (prefix: string, i: number): NewPetition => {
    const text = r() < 0.5 ? makeLocal(r) : makeVariant(r, templates[i % templates.length]!, new Set(), i);
    const at = new Date().toISOString();
    return {
      id: `${prefix}-${i}`, receivedAt: null, storedAt: at, subject: null, senderName: null, senderEmail: null, text,
      result: { id: `${prefix}-${i}`, score: 0.1, level: 'low', track: 'standard', traits: { mass_mailing: 0, vendor_promotion: 0 }, reasons: [], campaign: null, model: { version: 'bench', embedding: null } },
      fingerprint: fingerprint(normalise(text).folded),
    };
  };
  const dirs = [mkdtempSync(join(tmpdir(), 'sito-bench-store-')), mkdtempSync(join(tmpdir(), 'sito-bench-store-'))];
  const viaSync = SqliteStore.open(dirs[0]!);
  const viaAsync = SqliteStore.open(dirs[1]!);
  const times = { sync: [] as number[], async: [] as number[] };
  const batch = 250;
  for (let start = 0; start < n; start += batch) {
    const ps = Array.from({ length: Math.min(batch, n - start) }, (_, k) => make('p', start + k));
    for (const p of ps) {
      const keys = bandKeys(p.fingerprint.signature);
      const t0 = process.hrtime.bigint();
      viaSync.sync.writeTransaction(() => {
        viaSync.sync.candidates(keys, 32);
        if (!viaSync.sync.hasPetition(p.id)) viaSync.sync.insertPetition(p, null, keys);
      });
      times.sync.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    for (const p of ps) {
      const keys = bandKeys(p.fingerprint.signature);
      const t0 = process.hrtime.bigint();
      await viaAsync.writeTransaction(async (tx) => {
        await tx.candidates(keys, 32);
        if (!(await tx.hasPetition(p.id))) await tx.insertPetition(p, null, keys);
      });
      times.async.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await viaSync.close();
  await viaAsync.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const row = (name: string, xs: number[]) => [name, xs.length, quantile(xs, 0.5).toFixed(3), quantile(xs, 0.99).toFixed(3), (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)];
  console.log(`\nThe storing transaction of one petition (look-up, id check, insert), ${n} petitions into an empty store, alternating batches of ${batch}; one core`);
  console.log(table(['path', 'petitions', 'p50 ms', 'p99 ms', 'mean ms'], [row('SqliteStoreSync (synchronous core)', times.sync), row('SqliteStore (async, lock, tx view)', times.async)]));
}
