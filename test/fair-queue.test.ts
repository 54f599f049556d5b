import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { Engine, type Analysis } from '../src/engine.js';
import { buildApp } from '../src/http/app.js';
import { FairQueue, QueueFullError } from '../src/http/fair-queue.js';
import type { Petition } from '../src/ingest/petition-input.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import type { Store } from '../src/storage/store.js';
import { tempDir } from './helpers/sito-process.js';
import { thresholds } from './helpers/engine.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('FairQueue', () => {
  it('runs jobs first come first served, one per event-loop iteration', async () => {
    const q = new FairQueue({ limit: 100 });
    const order: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((name) =>
      q.run(() => {
        order.push(name);
        // queued now, so it runs in the next check phase: before the next job if jobs are one per iteration
        setImmediate(() => order.push(`after ${name}`));
        return name;
      }),
    );
    expect(q.waiting).toBe(4);
    expect(order).toEqual([]); // nothing runs before its turn
    expect(await Promise.all(jobs)).toEqual(['a', 'b', 'c', 'd']);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'after a', 'b', 'after b', 'c', 'after c', 'd', 'after d']);
    expect(q.waiting).toBe(0);
    expect(q.started).toBe(4);
  });

  it('refuses with QueueFullError past its limit, and takes jobs again once there is room', async () => {
    const q = new FairQueue({ limit: 2, retryAfter: 3 });
    const a = q.run(() => 1);
    const b = q.run(() => 2);
    const refused = q.run(() => 3);
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toMatchObject({ waiting: 2, retryAfter: 3 });
    expect(q.refused).toBe(1);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(await q.run(() => 4)).toBe(4);
  });

  it('a job that throws or rejects fails its own caller only; the queue goes on', async () => {
    const q = new FairQueue({ limit: 10 });
    const results = await Promise.allSettled([
      q.run(() => 'first'),
      q.run(() => {
        throw new Error('synchronous');
      }),
      q.run(async () => {
        throw new Error('asynchronous');
      }),
      q.run(() => 'last'),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['first', 'synchronous', 'asynchronous', 'last']);
    expect(await q.run(() => 'after')).toBe('after');
  });

  it('a job does not hold its turn while it waits on I/O', async () => {
    const q = new FairQueue({ limit: 10 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = q.run(async () => {
      order.push('slow starts');
      await gate;
      order.push('slow ends');
    });
    const quick = q.run(() => void order.push('quick'));
    await quick;
    expect(order).toEqual(['slow starts', 'quick']);
    release();
    await slow;
    expect(order).toEqual(['slow starts', 'quick', 'slow ends']);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new FairQueue({ limit: 0 })).toThrow(/limit/);
  });
});

/** A real engine whose analysis takes `ms` of CPU (a long petition), and that notes what it analysed. */
class SlowEngine extends Engine {
  readonly analysed: string[] = [];
  constructor(
    private readonly ms: number,
    store: Store | null = null,
  ) {
    super({ rules: loadRules(), thresholds, store });
  }
  override analyse(petition: Pick<Petition, 'text'>): Analysis {
    this.analysed.push(petition.text.slice(0, 14));
    spin(this.ms);
    return super.analyse(petition);
  }
}

/**
 * A load generator in its own process, like wrk: keep-alive connections, each sending its next
 * request as soon as the previous answer came, `rounds` requests each. Half of them connect at
 * once; when each of those had three answers, the other half connect at once.
 */
const LOAD = `
const http = require('node:http');
const [port, connections, rounds] = process.argv.slice(1).map(Number);
let finished = 0;
let warm = 0;
const open = (c) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let n = 0;
  const send = () => {
    const body = JSON.stringify({ text: 'conn-' + String(c).padStart(2, '0') + ' req-' + String(n).padStart(2, '0') + ' Prośba o ławkę w parku.', store: false });
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/petitions/score', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) { console.error('answer ' + res.statusCode); process.exit(2); }
        // the second half connect at once when the first half keep the server busy
        if (c < connections / 2 && n === 2 && ++warm === connections / 2) for (let o = connections / 2; o < connections; o++) open(o);
        if (++n < rounds) send();
        else if (++finished === connections) process.exit(0);
      });
    });
    req.on('error', (e) => { console.error(e.message); process.exit(3); });
    req.end(body);
  };
  send();
};
for (let c = 0; c < connections / 2; c++) open(c);
`;

function load(port: number, connections: number, rounds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD, String(port), String(connections), String(rounds)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited ${code}: ${err}`))));
  });
}

describe('the score route takes turns (real Fastify, load from another process)', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function serve(engine: Engine, overrides: Parameters<typeof loadConfig>[1] = {}) {
    app = await buildApp({ config: loadConfig({}, { port: 0, ...overrides }), engine, logger: false });
    // as in the server: the store closes when the app does
    const store = engine.store;
    if (store) app.addHook('onClose', async () => store.close());
    const arrived: string[] = [];
    // the order in which requests reach the handler (after the body is read and validated)
    app.addHook('preHandler', async (req) => {
      if (req.url === '/v1/petitions/score') arrived.push((req.body as { text: string }).text.slice(0, 14));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: (app.server.address() as { port: number }).port, arrived };
  }

  it('connections opened at once while the server is busy are each served early, not one more per round of scorings; in arrival order', async () => {
    const connections = 16;
    const engine = new SlowEngine(5);
    const { port, arrived } = await serve(engine);
    await load(port, connections, 12);
    const scored = engine.analysed;
    expect(scored).toHaveLength(connections * 12);
    // FIFO: scored in the order the requests arrived
    expect(scored).toEqual(arrived);
    // Where each connection's first request falls among all scorings. The second half connect at
    // once while the first half keep the server busy. Taking turns, one of them is accepted per
    // scoring and its request waits behind at most one request of each other connection: their
    // first requests are scored within about 16 scorings of each other (14 measured). Scored where
    // they are read, a busy process accepts one connection per round of scorings, each round one
    // longer than the one before: the last one's first request comes 64–89 scorings after the first's.
    const firsts = Array.from({ length: connections }, (_, c) => scored.findIndex((t) => t.startsWith(`conn-${String(c).padStart(2, '0')} `)));
    expect(firsts.every((i) => i >= 0)).toBe(true);
    const second = firsts.slice(connections / 2);
    expect(Math.max(...second) - Math.min(...second)).toBeLessThan(2 * connections);
  }, 120_000);

  it('a full queue answers 503 with Retry-After in the JSON error shape; the queued request is scored', async () => {
    const engine = new SlowEngine(50);
    const { port } = await serve(engine, { scoringQueue: 1 });
    // five connections, accepted first (one request each), then five requests written in one go:
    // the server reads them in one poll phase, before any of them is scored
    const sockets: Socket[] = [];
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = connect(port, '127.0.0.1');
      s.setEncoding('utf8');
      await new Promise<void>((r) => s.once('connect', () => r()));
      sockets.push(s);
      answers.push('');
      s.on('data', (d: string) => (answers[i] += d));
    }
    try {
      for (const s of sockets) await new Promise<void>((r) => (s.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'), s.once('data', () => r())));
      answers.fill('');
      const body = JSON.stringify({ text: 'Prośba o ławkę w parku.', store: false });
      for (const s of sockets) s.write(`POST /v1/petitions/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const deadline = Date.now() + 60_000;
      while (answers.some((a) => !a.includes('\r\n\r\n{')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      for (const s of sockets) s.destroy();
    }
    const statuses = answers.map((a) => Number(/^HTTP\/1\.1 (\d+)/.exec(a)?.[1]));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const refused = answers.filter((a) => a.startsWith('HTTP/1.1 503'));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    for (const a of refused) {
      expect(a).toMatch(/\r\nretry-after: 1\r\n/i);
      const json = JSON.parse(a.slice(a.indexOf('\r\n\r\n') + 4)) as { error: string; message: string };
      expect(json.error).toBe('overloaded');
      expect(json.message).toMatch(/SITO_SCORING_QUEUE/);
    }
    // a refused request was never analysed
    expect(engine.analysed.length).toBe(statuses.filter((s) => s === 200).length);
  }, 120_000);

  it('closing, the scorings already queued finish against the open store even when their clients have gone', async () => {
    const dir = tempDir();
    const store = SqliteStore.open(dir);
    const engine = new SlowEngine(20, store);
    const { port, arrived } = await serve(engine);
    const sent = 8;
    const sockets: Socket[] = [];
    for (let i = 0; i < sent; i++) {
      const s = connect(port, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.on('error', () => {});
      sockets.push(s);
    }
    for (const [i, s] of sockets.entries()) {
      const body = JSON.stringify({ id: `leaving-${i}`, text: `Petycja ${i}: prośba o naprawę chodnika przy ulicy nr ${i}.`, store: true });
      s.write(`POST /v1/petitions/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    // every request is in the queue; the clients leave, and the server is told to close
    const deadline = Date.now() + 30_000;
    while (arrived.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(arrived).toHaveLength(sent);
    expect(engine.analysed.length).toBeLessThan(sent);
    for (const s of sockets) s.destroy();
    await app!.close();
    app = undefined;
    // closed only after the last of them was stored: every one is there, none failed half-way
    expect(engine.analysed).toHaveLength(sent);
    const reopened = SqliteStore.open(dir);
    try {
      expect((await reopened.stats()).petitions).toBe(sent);
      for (let i = 0; i < sent; i++) expect(await reopened.hasPetition(`leaving-${i}`)).toBe(true);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
