import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { MIGRATIONS } from '../storage/migrations.js';
import { openMigrator } from '../storage/open-store.js';
import type { MigrationState } from '../storage/store.js';

const line = (m: MigrationState) => `${JSON.stringify({ version: m.version, name: m.name, state: m.applied_at ? 'applied' : 'pending', applied_at: m.applied_at })}\n`;

/**
 * `sito migrate status | up`: the office store's schema versions. Opening the store (serve,
 * score…) applies pending migrations on its own; these let an operator see them first and apply
 * them as a step of their own (before starting several instances, say). The store is the one the
 * configuration names (SITO_DATA_DIR, or SITO_DATABASE_URL).
 */
export function registerMigrateCommands(program: Command) {
  const migrate = program.command('migrate').description("the store's schema versions: status (changes nothing), up (applies the pending ones)");

  migrate
    .command('status')
    .description('every migration as a JSON line (applied or pending), in the order they apply; changes nothing, creates nothing; exit 0 with pending ones too')
    .action(async () => {
      const m = openMigrator(loadConfig());
      try {
        const states = await m.status();
        for (const s of states) process.stdout.write(line(s));
        const pending = states.filter((s) => !s.applied_at).length;
        const newer = states.filter((s) => !MIGRATIONS.some((k) => k.version === s.version)).length;
        process.stderr.write(`${m.where}: ${states.length - pending - newer} of ${MIGRATIONS.length} migrations applied, ${pending} pending${newer ? `; ${newer} applied by a newer Sito (upgrade Sito)` : ''}\n`);
      } finally {
        await m.close();
      }
    });

  migrate
    .command('up')
    .description('apply the pending migrations in order, each in its own transaction; prints those applied as JSON lines')
    .action(async () => {
      const m = openMigrator(loadConfig());
      try {
        const applied = await m.up();
        for (const s of applied) process.stdout.write(line(s));
        process.stderr.write(`${m.where}: ${applied.length ? `applied ${applied.length} migrations` : 'up to date, nothing to apply'}\n`);
      } finally {
        await m.close();
      }
    });
}
