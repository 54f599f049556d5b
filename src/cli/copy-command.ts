import type { Command } from 'commander';
import { isPostgresUrl } from '../storage/postgres/connection.js';
import { progress, type Progress } from './progress.js';

/**
 * `sito copy --from sqlite:FILE --to postgres://…`: moves an office from its SQLite file to
 * PostgreSQL. One JSON line on stdout (rows per table); progress on a terminal; exit 1 when the
 * target is not empty or the copy failed (nothing is kept then).
 */
export function registerCopyCommand(program: Command) {
  program
    .command('copy')
    .description('copy an office from its SQLite file to an empty PostgreSQL database (every petition, mark, user, session, model, audit entry, document, track and outbox row), then verify the counts')
    .requiredOption('--from <source>', 'sqlite:DATA_DIR or sqlite:FILE (the office\'s SITO_DATA_DIR, or its sito.db)')
    .requiredOption('--to <url>', 'postgres://user:password@host/database')
    .action(async (opts: { from: string; to: string }) => {
      if (!opts.from.startsWith('sqlite:') || opts.from.length <= 'sqlite:'.length) throw new Error(`--from: expected sqlite:DATA_DIR or sqlite:FILE, got ${opts.from}`);
      if (!isPostgresUrl(opts.to)) throw new Error('--to: expected a postgres:// URL');
      const { copySqliteToPostgres } = await import('../storage/postgres/copy.js');
      let bar: Progress | null = null;
      const report = await copySqliteToPostgres(
        opts.from.slice('sqlite:'.length),
        opts.to,
        (table, n) => {
          for (let i = 0; i < n; i++) bar?.tick(table);
        },
        (total) => {
          bar = progress('copy', total);
        },
      );
      (bar as Progress | null)?.done();
      process.stdout.write(`${JSON.stringify({ copied: report.tables, from: report.from, to: report.to, seconds: report.seconds, verified: true })}\n`);
    });
}
