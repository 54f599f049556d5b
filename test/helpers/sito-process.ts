import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const bin = `${repoRoot}/bin/sito.js`;
export const tempDir = (prefix = 'sito-test-') => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, 0o777);
  return d;
};

/**
 * Permission checks mean nothing to root, so as root the command runs as `nobody` (setpriv);
 * as anyone else it runs as that user.
 */
export function asUnprivileged(args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args]];
  return [process.execPath, args];
}

export function sitoSync(args: string[], opts: { input?: string; env?: Record<string, string>; unprivileged?: boolean } = {}) {
  const [cmd, argv] = opts.unprivileged ? asUnprivileged([bin, ...args]) : [process.execPath, [bin, ...args]];
  return spawnSync(cmd, argv, {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, SITO_LOG_LEVEL: 'silent', ...opts.env },
    timeout: 60_000,
  });
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** `sito serve` as a real process on 127.0.0.1; resolves when /health answers. */
export async function serveProcess(env: Record<string, string>, port: number): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], {
    env: { ...process.env, SITO_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sito serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Like sitoSync, without blocking this process's event loop (for tests that serve something to it). */
export function sitoAsync(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // killed if it outlives any test's time limit (a timed-out test would otherwise leave it running)
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, SITO_LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
