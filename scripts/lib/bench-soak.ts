import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { table } from './corpus.js';
import { makeLocal, makeTemplate, makeVariant, EDITS, pick, rng } from './generate-petitions.js';
import { serveSito } from './serve.js';

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

/**
 * Load and soak: `sito serve` in its own process with storage on; every request a different
 * generated petition (a new id: the store grows all along). For each connection count: throughput,
 * p50/p99, errors, and the server's RSS at the start and the end.
 *   npm run bench -- soak [--duration=SECONDS] [--connections=8,32]   (30 minutes: --duration=1800)
 */
export async function benchSoak(durationSeconds: number, connectionCounts: number[]) {
  const sito = await serveSito({ SITO_EMBEDDING_MODEL: process.env.SITO_EMBEDDING_MODEL ?? 'sito-static-pl' });
  const r = rng(7);
  const templates = Array.from({ length: 50 }, () => makeTemplate(r));
  const rows: Array<Array<string | number>> = [];
  let n = 0;
  const body = () => {
    const text = r() < 0.5 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), n);
    return JSON.stringify({ id: `soak-${n++}`, text, store: true });
  };
  try {
    const pid = sito.child.pid!;
    for (const connections of connectionCounts) {
      const startRss = rssMb(pid);
      const startStored = n;
      const res = await autocannon({
        url: `${sito.url}/v1/petitions/score`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: durationSeconds,
        requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
      });
      rows.push([connections, durationSeconds, Math.round(res.requests.average), res.latency.p50, res.latency.p99, res.errors + res.timeouts, res.non2xx, startRss, rssMb(pid), n - startStored]);
    }
    const health = (await (await fetch(`${sito.url}/metrics`)).text()).match(/^sito_store_petitions (\d+)/m)?.[1];
    console.log(`\nLoad/soak: POST /v1/petitions/score with storage on, a new generated petition per request (autocannon, loopback, one server process); store at the end: ${health ?? '?'} petitions`);
    console.log(table(['connections', 'seconds', 'petitions/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'RSS start MB', 'RSS end MB', 'requests'], rows));
  } finally {
    await sito.stop();
  }
}
