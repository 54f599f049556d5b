import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/lib/serve.js';
import { bin, tempDir } from './helpers/sito-process.js';

/**
 * /metrics of `serve --workers 2`, a real primary and its two workers: whichever worker takes the
 * scrape, it describes the whole service (the workers' counters summed, the shared store once), and
 * a worker that is gone or does not answer is left out within the bound and counted.
 */

interface Service {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serveWorkers(n: number): Promise<Service> {
  const dir = tempDir('sito-metrics-workers-');
  dirs.push(dir);
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--workers', String(n)], {
    env: { ...process.env, SITO_DATA_DIR: dir, SITO_LOG_LEVEL: 'warn', SITO_EMBEDDING_MODEL: 'none' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  for (let i = 0; i < 600 && !/workers listening/.test(stderr); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(stderr).toContain(`sito: ${n} workers listening on http://127.0.0.1:${port}`);
  return { url: `http://127.0.0.1:${port}`, child, stderr: () => stderr };
}

/** One request on a connection of its own (`Connection: close`), so the primary hands each to the next worker. */
function call(method: string, url: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, timeout: timeoutMs, headers: { connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The value of one sample (`name{labels} value`), or null when the scrape has none. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** The workers the primary forked (its children, from /proc). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return kids;
}

const PETITIONS = [
  'Mieszkańcy ulicy Lipowej proszą o naprawę chodnika przed szkołą, w którym od zimy są głębokie dziury.',
  'Prosimy o ustawienie ławki i kosza na śmieci przy przystanku autobusowym na ulicy Polnej.',
  'Wnoszę o przycięcie drzew zasłaniających latarnię przy moim domu na osiedlu Słonecznym.',
  'Rodzice uczniów proszą o przejście dla pieszych z sygnalizacją przy szkole podstawowej nr 3.',
];
const SCORE = '/v1/petitions/score';
const SCORED = `sito_http_requests_total{method="POST",route="${SCORE}",status="200"}`;

describe('GET /metrics of serve --workers 2', () => {
  it('sums the workers: the scoring count is every request sent, whichever worker answers; the store counted once', async () => {
    const s = await serveWorkers(2);
    const sent = 12;
    for (let i = 0; i < sent; i++) {
      const r = await call('POST', `${s.url}${SCORE}`, { id: `w-${i}`, text: PETITIONS[i % PETITIONS.length] });
      expect(r.status, r.text).toBe(200);
    }
    // successive connections go to alternate workers: every scrape gives the same totals
    for (let i = 0; i < 6; i++) {
      const m = await call('GET', `${s.url}/metrics`);
      expect(m.status).toBe(200);
      expect(sample(m.text, SCORED)).toBe(sent);
      expect(sample(m.text, 'sito_workers')).toBe(2);
      expect(sample(m.text, 'sito_workers_configured')).toBe(2);
      expect(sample(m.text, 'sito_metrics_workers_missing')).toBe(0);
      // every worker reads the same shared store: its figure is not doubled
      expect(sample(m.text, 'sito_store_petitions')).toBe(sent);
      // nor is the model each worker runs
      expect(m.text).toMatch(/^sito_model_info\{version="[^"]+"\} 1$/m);
      const verdicts = [...m.text.matchAll(/^sito_verdicts_total\{level="[^"]+"\} (\d+)$/gm)].reduce((sum, v) => sum + Number(v[1]), 0);
      expect(verdicts).toBe(sent);
    }
  });

  it('a worker killed (kill -9): the scrape still answers at once, without it and saying so; the replacement is counted once it listens', async () => {
    const s = await serveWorkers(2);
    const workers = childrenOf(s.child.pid!);
    expect(workers).toHaveLength(2);
    process.kill(workers[0]!, 'SIGKILL');
    for (let i = 0; i < 100 && !s.stderr().includes(`worker ${workers[0]} exited`); i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.stderr()).toContain(`worker ${workers[0]} exited`);

    const m = await call('GET', `${s.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.ms).toBeLessThan(2500);
    // the replacement takes longer than this to start: one worker gives its figures, one is missing
    expect(sample(m.text, 'sito_workers')).toBe(1);
    expect(sample(m.text, 'sito_metrics_workers_missing')).toBe(1);
    expect(sample(m.text, 'sito_workers_configured')).toBe(2);

    let back: number | null = null;
    for (let i = 0; i < 300 && back !== 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      back = sample((await call('GET', `${s.url}/metrics`)).text, 'sito_workers');
    }
    expect(back).toBe(2);
  });

  it('a worker that does not answer (stopped) is left out after 2 s and counted missing', async () => {
    const s = await serveWorkers(2);
    const [stopped] = childrenOf(s.child.pid!);
    process.kill(stopped!, 'SIGSTOP');
    try {
      // the primary hands a connection to the stopped worker at most once (it never takes it), then
      // only to the other: spend that one on /health
      for (let i = 0; i < 4; i++) {
        const hung = await call('GET', `${s.url}/health`, undefined, 1000).then(
          () => false,
          () => true,
        );
        if (hung) break;
      }
      for (let i = 0; i < 2; i++) {
        const m = await call('GET', `${s.url}/metrics`);
        expect(m.status).toBe(200);
        expect(m.ms).toBeGreaterThan(1900);
        expect(m.ms).toBeLessThan(2750);
        expect(sample(m.text, 'sito_workers')).toBe(1);
        expect(sample(m.text, 'sito_metrics_workers_missing')).toBe(1);
      }
    } finally {
      process.kill(stopped!, 'SIGCONT');
    }
    const m = await call('GET', `${s.url}/metrics`);
    expect(sample(m.text, 'sito_workers')).toBe(2);
    expect(m.ms).toBeLessThan(1000);
  });
});
