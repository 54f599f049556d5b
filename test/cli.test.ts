import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixture, repoRoot } from './helpers/paths.js';

const sito = (args: string[], input?: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [`${repoRoot}/bin/sito.js`, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, SITO_LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });

describe('sito CLI', () => {
  it('prints help for the program and for each command', () => {
    const top = sito(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/score/);
    expect(top.stdout).toMatch(/serve/);
    const sub = sito(['score', '--help']);
    expect(sub.status).toBe(0);
    expect(sub.stdout).toMatch(/--no-store/);
  });

  it('scores JSON lines from stdin, one result per line, in input order', () => {
    const lines = [
      { id: 'one', text: fixture('vendor/led-lighting.txt') },
      { id: 'two', text: fixture('genuine/pavement-email.txt') },
      { id: 'three', text: fixture('vendor/nis2-audit.txt') },
    ];
    const r = sito(['score', '--no-store'], `${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; level: string });
    expect(out.map((o) => o.id)).toEqual(['one', 'two', 'three']);
    expect(out.map((o) => o.level)).toEqual(['high', 'low', 'high']);
  });

  it('stops at a malformed line, naming its number, after writing every earlier line whole', () => {
    const input = `${JSON.stringify({ id: 'a', text: 'Prośba o ławkę.' })}\n{"id": "b", "text": \n${JSON.stringify({ id: 'c', text: 'x' })}\n`;
    const r = sito(['score', '-', '--no-store'], input);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 2: malformed JSON/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout).id).toBe('a');
  });

  it('names the line and field of a line that is JSON but not a petition', () => {
    const r = sito(['score', '--no-store'], `{"id": "a"}\n`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 1: text/);
  });

  it('serves with several worker processes on one port, and stops them all', async () => {
    const { freePort } = await import('../scripts/lib/serve.js');
    const { serveProcess, tempDir } = await import('./helpers/sito-process.js');
    const s = await serveProcess({ SITO_DATA_DIR: tempDir(), SITO_WORKERS: '2' }, await freePort());
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Prośba o ławkę w parku.' }) })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await s.stop();
    expect(s.child.exitCode).toBe(0);
  }, 60_000);

  it('refuses to serve on a public address without an API key', () => {
    const r = sito(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/SITO_API_KEYS/);
  });

  it('fails with a one-line reason for a missing input file', () => {
    const r = sito(['score', '/nonexistent/file.jsonl']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ENOENT|no such file/);
  });
});
