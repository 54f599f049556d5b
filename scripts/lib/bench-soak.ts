import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { table } from './corpus.js';
import { makeLocal, makeTemplate, makeVariant, EDITS, pick, rng } from './generate-petitions.js';
import { serveSito } from './serve.js';

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/** What one stretch of the run saw: answers by their latency, errors, non-2xx, RSS at its end. */
interface Window {
  connections: number;
  from: number;
  to: number;
  latencies: number[];
  errors: number;
  non2xx: number;
  rssEnd: number;
  storedEnd: number;
}

const summarise = (w: Pick<Window, 'latencies'>) => {
  const s = [...w.latencies].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p99: Math.round(percentile(s, 99)), max: Math.round(s.length ? s[s.length - 1]! : NaN) };
};

/**
 * Load and soak: `sito serve` in its own process with storage on and the embedding signal on; every
 * request a different generated petition (a new id: the store grows all along). The connection
 * counts run one after the other against the same server, sharing `durationSeconds` between them
 * (`--duration=1800 --connections=8,32`: 15 minutes at 8, then 15 at 32, 30 minutes of a growing
 * store). Reported per connection count and per window of `windowSeconds` (throughput over time,
 * so a slowdown as the store grows shows): petitions/s, p50/p99, errors (connection errors and
 * timeouts), non-2xx answers, the server's RSS and the petitions stored at the window's end.
 *   npm run bench -- soak [--duration=SECONDS] [--connections=8,32] [--window=300]
 */
export async function benchSoak(durationSeconds: number, connectionCounts: number[], windowSeconds = 300) {
  const sito = await serveSito({ SITO_EMBEDDING_MODEL: process.env.SITO_EMBEDDING_MODEL ?? 'sito-static-pl' });
  const r = rng(7);
  const templates = Array.from({ length: 50 }, () => makeTemplate(r));
  let n = 0;
  const body = () => {
    const text = r() < 0.5 ? makeLocal(r) : makeVariant(r, pick(r, templates), new Set(EDITS.filter(() => r() < 0.4)), n);
    return JSON.stringify({ id: `soak-${n++}`, text, store: true });
  };
  const each = Math.max(1, Math.round(durationSeconds / connectionCounts.length));
  const windows: Window[] = [];
  const perCount: Array<Array<string | number>> = [];
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const pid = sito.child.pid!;
    const rssStart = rssMb(pid);
    let stored = 0;
    for (const connections of connectionCounts) {
      const countStart = Date.now();
      const rssAtStart = rssMb(pid);
      const mine: Window[] = [];
      const open = (from: number) => {
        const w: Window = { connections, from, to: from, latencies: [], errors: 0, non2xx: 0, rssEnd: NaN, storedEnd: 0 };
        mine.push(w);
        return w;
      };
      let current = open(0);
      const close = () => {
        current.to = Math.round((Date.now() - countStart) / 1000);
        current.rssEnd = rssMb(pid);
        current.storedEnd = stored;
      };
      const roll = setInterval(() => {
        close();
        if (tty) {
          const s = summarise(current);
          process.stderr.write(`  ${connections} connections, ${current.from}–${current.to} s: ${Math.round(current.latencies.length / Math.max(1, current.to - current.from))}/s, p99 ${s.p99} ms, RSS ${current.rssEnd} MB, ${stored} stored\n`);
        }
        current = open(current.to);
      }, windowSeconds * 1000);
      let done!: (r: autocannon.Result) => void;
      let failed!: (e: Error) => void;
      const finished = new Promise<autocannon.Result>((ok, ko) => ((done = ok), (failed = ko)));
      const instance = autocannon(
        {
        url: `${sito.url}/v1/petitions/score`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: each,
          requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
        },
        (err, result) => (err ? failed(err as Error) : done(result)),
      );
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        current.latencies.push(ms);
        if (status < 200 || status > 299) current.non2xx++;
        else stored++;
      });
      instance.on('reqError', () => current.errors++);
      const res = await finished;
      clearInterval(roll);
      close();
      // a last stretch shorter than a fifth of a window (the run's tail) joins the window before it
      if (mine.length > 1 && mine[mine.length - 1]!.to - mine[mine.length - 1]!.from < windowSeconds / 5) {
        const tail = mine.pop()!;
        const prev = mine[mine.length - 1]!;
        prev.latencies.push(...tail.latencies);
        Object.assign(prev, { to: tail.to, errors: prev.errors + tail.errors, non2xx: prev.non2xx + tail.non2xx, rssEnd: tail.rssEnd, storedEnd: tail.storedEnd });
      }
      windows.push(...mine);
      const all = summarise({ latencies: mine.flatMap((w) => w.latencies) });
      const seconds = (Date.now() - countStart) / 1000;
      perCount.push([
        connections,
        Math.round(seconds),
        Math.round(res.requests.total / seconds),
        all.p50,
        all.p99,
        all.max,
        res.errors + res.timeouts,
        res.non2xx,
        rssAtStart,
        rssMb(pid),
        res.requests.total,
      ]);
    }
    const health = (await (await fetch(`${sito.url}/metrics`)).text()).match(/^sito_store_petitions (\d+)/m)?.[1];
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(
      `\nLoad/soak: POST /v1/petitions/score with storage and the embedding on, a new generated petition per request (autocannon, loopback, one server process), ${minutes} minutes; server RSS ${rssStart} MB at the start, ${rssMb(pid)} MB at the end; store at the end: ${health ?? '?'} petitions`,
    );
    console.log(table(['connections', 'seconds', 'petitions/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'RSS start MB', 'RSS end MB', 'requests'], perCount));
    console.log(`\nThroughput over time (windows of ${windowSeconds} s):`);
    console.log(
      table(
        ['connections', 'window s', 'petitions/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'RSS end MB', 'stored at end'],
        windows.map((w) => {
          const s = summarise(w);
          return [w.connections, `${w.from}–${w.to}`, Math.round(w.latencies.length / Math.max(1, w.to - w.from)), s.p50, s.p99, w.errors, w.non2xx, w.rssEnd, w.storedEnd];
        }),
      ),
    );
  } finally {
    await sito.stop();
  }
}
