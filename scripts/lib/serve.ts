import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/sito.js', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServedSito {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** Starts `sito serve` as its own process on loopback (so a load generator gets the other core). */
export async function serveSito(env: Record<string, string> = {}, args: string[] = []): Promise<ServedSito> {
  const port = await freePort();
  const dataDir = env.SITO_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sito-bench-'));
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), ...args], {
    env: { ...process.env, SITO_DATA_DIR: dataDir, SITO_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // with --workers N, /health answers as soon as one worker listens, and a load test started then
  // opens every connection to that one: wait for the primary's "N workers listening" line
  const flag = args.findIndex((a) => a === '--workers' || a === '-w');
  const workers = Number(flag >= 0 ? args[flag + 1] : (env.SITO_WORKERS ?? process.env.SITO_WORKERS ?? 1));
  let allListening = !(workers > 1);
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    if (/workers listening on /.test(chunk.toString())) allListening = true;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600 && !allListening; i++) {
    if (child.exitCode !== null) throw new Error(`sito serve exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!allListening) throw new Error('sito serve: its workers did not all listen within a minute');
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`sito serve exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
