import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open-store.js';
import { checkSecret } from './keyed-fingerprint.js';
import { importPublished } from './import-published.js';
import { openClearinghouseStore } from './open-store.js';
import { buildClearinghouseApp, checkBind, parseOfficeKeys } from './server.js';

const DEFAULT_PORT = 8090;

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: not a port number: ${v}`);
  return n;
}

/** `sito clearinghouse serve | import-published`: the shared clearinghouse of several offices; `refused`: what it refused of this office's. */
export function registerClearinghouseCommands(program: Command) {
  const ch = program
    .command('clearinghouse')
    .description('the cross-office clearinghouse: counts how many offices received near-duplicates of a petition (keyed fingerprints only, no text)');

  ch.command('serve')
    .description(`serve the clearinghouse (127.0.0.1:${DEFAULT_PORT} unless told otherwise); SQLite in SITO_DATA_DIR, or PostgreSQL with SITO_DATABASE_URL; office keys in SITO_CLEARINGHOUSE_KEYS="KEY:office-id,…"`)
    .option('-p, --port <n>', `port (SITO_CLEARINGHOUSE_PORT, default ${DEFAULT_PORT})`)
    .option('-H, --host <host>', 'address to bind (SITO_CLEARINGHOUSE_HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      const port = parsePort(opts.port ?? process.env.SITO_CLEARINGHOUSE_PORT ?? String(DEFAULT_PORT));
      const host = opts.host ?? process.env.SITO_CLEARINGHOUSE_HOST ?? '127.0.0.1';
      const keys = parseOfficeKeys(process.env.SITO_CLEARINGHOUSE_KEYS ?? '');
      checkBind(host, keys);
      const store = await openClearinghouseStore();
      const level = process.env.SITO_LOG_LEVEL ?? 'info';
      const app = await buildClearinghouseApp({ store, keys, logger: { level } });
      app.addHook('onClose', async () => store.close());
      if (!keys.length) app.log.warn('no office keys (SITO_CLEARINGHOUSE_KEYS): every caller is the office named in X-Sito-Office, on loopback only');
      await app.listen({ host, port });
      app.log.info(`clearinghouse on ${store.kind}, ${keys.length} office keys`);
      await new Promise<void>((resolve) => {
        const stop = () => void app.close().then(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  ch.command('refused')
    .description("this office's reports and marks the clearinghouse refused for good (the table clearinghouse_refused of the office in SITO_DATA_DIR or SITO_DATABASE_URL), oldest first, one JSON line each")
    .option('-n, --limit <n>', 'at most this many', '1000')
    .action(async (opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: expected a whole number from 1, got ${opts.limit}`);
      const store = await openStore(loadConfig());
      try {
        const rows = await store.outbox.listRefused(limit);
        for (const { payload: _payload, ...row } of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
        process.stderr.write(`${await store.outbox.refused()} refused for good, ${rows.length} shown\n`);
      } finally {
        await store.close();
      }
    });

  ch.command('import-published')
    .description('fingerprint petitions that offices published (JSON lines {"office", "url", "published_at", "text"}) as reports of those offices, straight into this clearinghouse\'s store; keeps no text; needs SITO_FEDERATION_SECRET')
    .argument('<file>', 'JSON-lines file')
    .action(async (file: string) => {
      const secret = process.env.SITO_FEDERATION_SECRET ?? '';
      checkSecret(secret);
      const store = await openClearinghouseStore();
      const tty = process.stderr.isTTY === true;
      try {
        const r = await importPublished(() => createReadStream(file), store, secret, tty ? (n) => process.stderr.write(`\r${n} petitions fingerprinted`) : undefined);
        if (tty) process.stderr.write('\n');
        process.stderr.write(`imported ${r.accepted} published petitions (${r.duplicates} already there${r.rejected ? `, ${r.rejected} refused` : ''})\n`);
      } finally {
        await store.close();
      }
    });
}
