/**
 * `npm run bench -- versus [--duration=S] [--connections=N]`: Sito against Rspamd, side by side, on the
 * same machine and the same input, loopback only.
 *
 * Rspamd (Debian's package) runs as its own process group from a throwaway configuration directory:
 * the stock rules from /etc/rspamd, 2 normal workers on 127.0.0.1, no controller, proxy or fuzzy
 * worker, no redis, and every module that asks the network (DNS lists, SPF/DKIM/DMARC, fuzzy, remote
 * maps, neural…) switched off; its resolver points at a closed loopback port so a stray query fails
 * at once instead of leaving the machine. `wrk` posts the raw e-mail to Rspamd's /checkv2 and the
 * same text, as JSON, to Sito's POST /v1/petitions/score (stored and not stored). Each server gets a
 * 2 s warm-up run first (not counted), then 2 measured runs, the better one shown. Every run is a new
 * wrk that opens its connections at once: the measured p99 includes opening them, as a client sees it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './corpus.js';
import { freePort, serveSito } from './serve.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const SEED = 'seeds/petition-g1ant-as-received-email.txt';
const FALLBACK = join(repo, 'test/fixtures/vendor/led-lighting.txt');

export interface VersusOptions {
  duration: number;
  connections: number;
}

export function versusOptions(argv: string[]): VersusOptions {
  const num = (name: string, fallback: number) => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    const v = a ? Number(a.split('=')[1]) : fallback;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive whole number, got ${a}`);
    return v;
  };
  return { duration: num('duration', 10), connections: num('connections', 16) };
}

/** ../shared beside the clone. */
function sharedCandidates(): string[] {
  return [resolve(repo, '../shared')];
}

/**
 * The seed e-mail, read at run time (never copied here), else a small vendor fixture. Sito gets the
 * text as it is; Rspamd gets it as an RFC 822 message: when the text has no header block (the seed
 * is the e-mail as an office's system printed it, with no headers), a minimal one is put in front so
 * that Rspamd parses a well-formed UTF-8 text/plain message instead of scoring "broken headers".
 */
export function versusInput(): { text: string; email: string; source: string } {
  let text: string | undefined;
  let source = '';
  for (const dir of sharedCandidates()) {
    const p = join(dir, SEED);
    if (existsSync(p)) {
      text = readFileSync(p, 'utf8');
      source = p;
      break;
    }
  }
  if (text === undefined) {
    process.stderr.write(`versus: ../shared/${SEED} is absent; using test/fixtures/vendor/led-lighting.txt wrapped as a simple e-mail\n`);
    text = readFileSync(FALLBACK, 'utf8');
    source = 'test/fixtures/vendor/led-lighting.txt';
  }
  return { text, email: asEmail(text), source };
}

export function asEmail(text: string): string {
  if (/^[\x21-\x39\x3b-\x7e]+:[^\n]*\r?\n(?:[\x21-\x39\x3b-\x7e]+:|[ \t])/.test(text)) return text; // already has headers
  return [
    'From: Nadawca <nadawca@example.com>',
    'To: Sekretariat <sekretariat@example.org>',
    'Subject: Petycja',
    'Date: Mon, 06 May 2024 08:18:00 +0200',
    'Message-ID: <versus-bench@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text.replace(/\r?\n/g, '\r\n'),
  ].join('\r\n');
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Debian's rspamd and wrk, installed when missing (root only). */
export function ensureTools(): void {
  const missing = ['rspamd', 'wrk'].filter((c) => !has(c));
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`versus needs ${missing.join(' and ')}; run as root to install them, or: apt-get install -y rspamd wrk`);
  }
  process.stderr.write(`versus: ${missing.join(' and ')} missing; apt-get update && apt-get install -y rspamd wrk\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'rspamd', 'wrk']]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  const still = ['rspamd', 'wrk'].filter((c) => !has(c));
  if (still.length) throw new Error(`versus: ${still.join(' and ')} still missing after apt-get install`);
}

/** Modules that query DNS, remote maps or redis; each gets `enabled = false` in override.d. */
const NETWORK_MODULES = [
  'rbl', 'surbl', 'emails', 'dkim', 'dmarc', 'spf', 'arc', 'fuzzy_check', 'neural', 'asn', 'hfilter',
  'mx_check', 'multimap', 'whitelist', 'phishing', 'reputation', 'rspamd_update', 'dcc', 'antivirus',
  'external_services', 'greylist', 'ratelimit', 'replies', 'url_redirector', 'history_redis', 'clickhouse',
  'elastic', 'metadata_exporter', 'metric_exporter', 'p0f', 'spamassassin', 'bimi', 'dkim_signing',
  'aws_s3', 'clustering', 'dynamic_conf', 'bayes_expiry', 'maps_stats', 'ip_score', 'trie', 'spamtrap',
];

export interface Rspamd {
  url: string;
  version: string;
  stop: () => Promise<void>;
}

export async function startRspamd(workers = 2): Promise<Rspamd> {
  const version = spawnSync('rspamd', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'sito-versus-rspamd-'));
  const [port, dnsPort] = [await freePort(), await freePort()];
  for (const d of ['local.d', 'override.d', 'db', 'run', 'log']) mkdirSync(join(dir, d));
  writeFileSync(
    join(dir, 'rspamd.conf'),
    `.include "$CONFDIR/common.conf"
options {
  pidfile = "$RUNDIR/rspamd.pid";
  .include "$CONFDIR/options.inc"
  .include(priority=10) "$LOCAL_CONFDIR/override.d/options.inc"
}
logging {
  type = "file";
  filename = "$LOGDIR/rspamd.log";
  level = "error";
}
worker "normal" {
  bind_socket = "127.0.0.1:${port}";
  .include "$CONFDIR/worker-normal.inc"
  count = ${workers};
}
`,
  );
  // filters: the C modules; dkim and fuzzy_check ask the network, chartable and regexp are local
  writeFileSync(
    join(dir, 'override.d/options.inc'),
    `filters = "chartable,regexp";
disable_monitoring = true;
dns { nameserver = ["127.0.0.1:${dnsPort}"]; timeout = 100ms; retransmits = 1; }
`,
  );
  writeFileSync(join(dir, 'local.d/redis.conf'), ''); // no redis: modules that need it stay off
  for (const m of NETWORK_MODULES) writeFileSync(join(dir, `override.d/${m}.conf`), 'enabled = false;\n');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot && spawnSync('id', ['-u', '_rspamd'], { stdio: 'ignore' }).status === 0 ? '_rspamd' : asRoot ? 'root' : userInfo().username;
  if (user === '_rspamd') {
    const uid = Number(spawnSync('id', ['-u', '_rspamd'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', '_rspamd'], { encoding: 'utf8' }).stdout);
    for (const d of ['', 'db', 'run', 'log']) chownSync(join(dir, d), uid, gid);
  }
  const args = ['-f', '-c', join(dir, 'rspamd.conf'), ...['LOCAL_CONFDIR', 'DBDIR', 'RUNDIR', 'LOGDIR'].map((v, i) => `--var=${v}=${join(dir, ['', 'db', 'run', 'log'][i]!)}`)];
  if (asRoot) args.push('-u', user, '-g', user, ...(user === 'root' ? ['-i'] : []));
  const child = spawn('rspamd', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 120_000; // the first start compiles the regexp cache
    for (;;) {
      if (child.exitCode !== null) throw new Error(`rspamd exited with ${child.exitCode}: ${stderr.trim() || logTail(dir)}`);
      if (Date.now() > deadline) throw new Error(`rspamd did not answer /ping on ${url} within 120 s: ${logTail(dir)}`);
      try {
        const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, version, stop };
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'log/rspamd.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM to the whole process group, SIGKILL after 10 s. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (!child.pid) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  if (child.exitCode !== null || child.signalCode !== null) return signal('SIGKILL'); // workers left behind
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL'); // stragglers that outlived the main process
}

interface WrkResult {
  perSecond: number;
  p50: number;
  p99: number;
  requests: number;
}

const WRK_LUA = `wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("VERSUS_CONTENT_TYPE")
local f = assert(io.open(os.getenv("VERSUS_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("VERSUS %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
`;

function runWrk(dir: string, url: string, bodyFile: string, contentType: string, o: VersusOptions, duration = o.duration): Promise<WrkResult> {
  const script = join(dir, 'post.lua');
  if (!existsSync(script)) writeFileSync(script, WRK_LUA);
  const threads = Math.min(2, o.connections);
  const args = ['-t', String(threads), '-c', String(o.connections), '-d', `${duration}s`, '--timeout', '10s', '-s', script, url];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, VERSUS_BODY: bodyFile, VERSUS_CONTENT_TYPE: contentType }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const m = /^VERSUS (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk ${url} failed (exit ${code}): ${out.trim()}`));
      const [requests, durUs, p50, p99, status, sockets] = m.slice(1).map(Number) as [number, number, number, number, number, number];
      if (status > 0 || sockets > 0) return reject(new Error(`wrk ${url}: ${status} non-2xx answers, ${sockets} socket errors or timeouts of ${requests}`));
      resolvePromise({ requests, perSecond: requests / (durUs / 1e6), p50: p50 / 1000, p99: p99 / 1000 });
    });
  });
}

/** A short warm-up, then the best (highest checks/s) of 2 rounds. */
async function bestOf2(dir: string, url: string, bodyFile: string, contentType: string, o: VersusOptions): Promise<WrkResult> {
  await runWrk(dir, url, bodyFile, contentType, o, Math.min(2, o.duration));
  const a = await runWrk(dir, url, bodyFile, contentType, o);
  const b = await runWrk(dir, url, bodyFile, contentType, o);
  return a.perSecond >= b.perSecond ? a : b;
}

async function checkOnce(url: string, body: string, contentType: string): Promise<any> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(30_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${url} answered ${r.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

export async function benchVersus(o: VersusOptions): Promise<void> {
  ensureTools();
  const { text, email, source } = versusInput();
  const dir = mkdtempSync(join(tmpdir(), 'sito-versus-'));
  const files = { email: join(dir, 'email.eml'), plain: join(dir, 'score.json'), stored: join(dir, 'score-stored.json') };
  writeFileSync(files.email, email);
  writeFileSync(files.plain, JSON.stringify({ text, store: false }));
  writeFileSync(files.stored, JSON.stringify({ text, store: true }));
  let rspamd: Rspamd | undefined;
  let sito: Awaited<ReturnType<typeof serveSito>> | undefined;
  const onSignal = () => void cleanup().then(() => process.exit(130));
  const cleanup = async () => {
    await Promise.allSettled([rspamd?.stop(), sito?.stop()]);
    if (sito) rmSync(sito.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    rspamd = await startRspamd(2);
    const checked = await checkOnce(`${rspamd.url}/checkv2`, email, 'message/rfc822');
    const symbols = Object.keys(checked.symbols ?? {});
    const net = symbols.filter((s) => /^(RBL_|RCVD_IN_|URIBL_|DBL_|SURBL|R_SPF|R_DKIM|DMARC|FUZZY|ASN|DWL_)/.test(s));
    if (net.length) throw new Error(`rspamd still ran network checks: ${net.join(', ')}`);
    process.stderr.write(`versus: ${rspamd.version} on ${rspamd.url} (2 normal workers, network modules off): action ${checked.action}, score ${checked.score}, symbols ${symbols.join(" ")}\n`);
    const rspamdLabel = rspamd.version.replace('Rspamd daemon version', 'Rspamd') + ', 2 workers';
    const rs = await bestOf2(dir, `${rspamd.url}/checkv2`, files.email, 'message/rfc822', o);
    // Rspamd off the machine before Sito runs, so each has the same cores
    await rspamd.stop();
    rspamd = undefined;

    const runs: Array<[string, WrkResult]> = [];
    for (const [label, env, args, bodies] of [
      ['Sito, 1 process', {}, [], ['plain', 'stored']],
      ['Sito, --workers 2', {}, ['--workers', '2'], ['plain', 'stored']],
      ['Sito, --workers 2, rules only (SITO_SCORING=rules)', { SITO_SCORING: 'rules' }, ['--workers', '2'], ['plain']],
    ] as const) {
      sito = await serveSito({ ...env }, [...args]);
      const scored = await checkOnce(`${sito.url}/v1/petitions/score`, JSON.stringify({ text, store: false }), 'application/json');
      process.stderr.write(`versus: ${label} on ${sito.url}: level ${scored.level}, score ${scored.score}, model ${scored.model?.version}, embedding ${scored.model?.embedding ?? 'none'}\n`);
      for (const b of bodies) runs.push([`${label}, ${b === 'plain' ? 'not stored' : 'stored'}`, await bestOf2(dir, `${sito.url}/v1/petitions/score`, files[b], 'application/json', o)]);
      await sito.stop();
      rmSync(sito.dataDir, { recursive: true, force: true });
      sito = undefined;
    }

    const ratio = (x: WrkResult) => (x.perSecond / rs.perSecond).toFixed(2);
    const row = (name: string, x: WrkResult, r: string) => [name, Math.round(x.perSecond), x.p50.toFixed(1), x.p99.toFixed(1), x.requests, r, (x.p99 / rs.p99).toFixed(2)];
    console.log(`\nSito vs Rspamd, same input, loopback, wrk ${o.connections} connections × ${o.duration} s, best of 2 rounds`);
    console.log(`input: ${source} (${Buffer.byteLength(text)} bytes; to Rspamd as a ${Buffer.byteLength(email)}-byte message); ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end (shared machine)`);
    console.log(table(['server', 'checks/s', 'p50 ms', 'p99 ms', 'requests', 'checks/s vs Rspamd', 'p99 vs Rspamd'], [row(rspamdLabel, rs, '1.00'), ...runs.map(([name, x]) => row(name, x, ratio(x)))]));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}
