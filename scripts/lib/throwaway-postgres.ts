import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './serve.js';

/** Debian's PostgreSQL binaries: the newest major version installed (15 on bookworm). */
export const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(`${root}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a)) : [];
  return `${root}/${versions[0] ?? '15'}/bin`;
})();
export const hasPostgres = existsSync(`${PG_BIN}/initdb`) && existsSync(`${PG_BIN}/pg_ctl`);
if (!hasPostgres) console.warn(`[sito tests] ${PG_BIN} is missing: the PostgreSQL tests are skipped (.ci/run installs Debian's postgresql)`);

export interface ThrowawayPostgres {
  url: string;
  dataDir: string;
  stop: () => void;
}

/** initdb refuses root: as root the cluster runs as the postgres user. */
const asOwner = (cmd: string, args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

/** A throwaway PostgreSQL cluster on a free loopback port, in a temporary folder; stop() removes it. `settings`: server settings beyond the defaults (-c name=value). */
export async function startPostgres(settings: Record<string, string> = {}): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'sito-pg-'));
  chmodSync(dir, 0o777);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asOwner(`${PG_BIN}/${cmd}`, args);
    execFileSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'sito', '--no-sync']);
  run('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${Object.entries(settings).map(([k, v]) => ` -c ${k}=${v}`).join('')}`, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://sito@127.0.0.1:${port}/postgres`,
    dataDir: data,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
