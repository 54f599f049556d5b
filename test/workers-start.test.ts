import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { bin, tempDir } from './helpers/sito-process.js';

/**
 * Several processes opening one new data folder at once — `serve --workers N` on a first start,
 * or a CLI command started while the service starts — must all come up: each migration and the
 * first search-index fill happen once, whoever gets there first.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string>, input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, SITO_LOG_LEVEL: 'silent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

function runNode(code: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const LINE = JSON.stringify({ id: 'p-1', text: 'Mieszkańcy ulicy Lipowej proszą o naprawę chodnika przed szkołą, w którym od zimy są głębokie dziury.' });

/** A process that loads the store's code, waits for the same instant as its siblings, then opens the folder. */
const OPEN_AT = (dir: string, at: number) => `
  const { SqliteStoreSync } = await import(${JSON.stringify(`${repoRoot}/dist/storage/sqlite-store.js`)});
  while (Date.now() < ${at} - 20) await new Promise((r) => setTimeout(r, 5));
  while (Date.now() < ${at}) {}
  try { SqliteStoreSync.open(${JSON.stringify(dir)}).close(); console.log('opened'); }
  catch (e) { console.log('failed: ' + e.message); process.exitCode = 1; }`;

describe('several processes starting on one new data folder', () => {
  it('eight processes opening a new database at the same instant all open it (each migration applied once)', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir('sito-race-');
      dirs.push(dir);
      const at = Date.now() + 2500;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => runNode(OPEN_AT(dir, at))),
      );
      for (const r of results) expect(r.stdout.trim(), r.stderr).toBe('opened');
    }
  });

  it('four CLI processes migrate a new database at once, and all score', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir('sito-race-');
      dirs.push(dir);
      const env = { SITO_DATA_DIR: dir, SITO_EMBEDDING_MODEL: 'none' };
      const results = await Promise.all(Array.from({ length: 4 }, () => run(['score', '--no-store', '--jobs', '1', '-'], env, `${LINE}\n`)));
      for (const r of results) {
        expect(r.stderr).not.toMatch(/already exists|UNIQUE constraint|SQLITE_/);
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout.trim()).id).toBe('p-1');
      }
    }
  });

  it('serve --workers 3 on a new folder: every worker comes up first time, and the primary says so once', async () => {
    const dir = tempDir('sito-workers-');
    dirs.push(dir);
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--workers', '3'], {
      env: { ...process.env, SITO_DATA_DIR: dir, SITO_LOG_LEVEL: 'warn', SITO_EMBEDDING_MODEL: 'none' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      for (let i = 0; i < 600 && !/workers listening/.test(stderr); i++) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(stderr).toContain(`sito: 3 workers listening on http://127.0.0.1:${port}`);
      expect(stderr).not.toMatch(/exited/);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(stderr.match(/workers listening/g)).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  });

  it('serve --workers 2 on a damaged database: the workers end, the service stops with exit 1 and says why (no worker left hanging)', async () => {
    const dir = tempDir('sito-workers-');
    dirs.push(dir);
    writeFileSync(`${dir}/sito.db`, 'this is not a database '.repeat(400));
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--workers', '2'], {
      env: { ...process.env, SITO_DATA_DIR: dir, SITO_LOG_LEVEL: 'warn', SITO_EMBEDDING_MODEL: 'none' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 60_000);
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/damaged or not a Sito database/);
    expect(stderr).toMatch(/3 workers in a row failed to start/);
    expect(stderr).not.toMatch(/workers listening/);
  });
});
