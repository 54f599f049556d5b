import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { erasePetition, purgeBefore } from '../operations/erase.js';
import { audit, cliActor } from '../audit/audit-trail.js';
import { AUDIT_ACTIONS } from '../http/audit-routes.js';
import type { Runtime } from '../runtime.js';
import type { AuditAction } from '../storage/store.js';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T> | T) => Promise<T>;

/** Records a command-line action in the audit trail. */
export const auditCli = (rt: Runtime, action: AuditAction, target: string | null = null, detail: Record<string, unknown> | null = null) =>
  audit(rt.store, { actor: cliActor(), address: null, action, target, detail });

/** Operators' commands: the audit trail, disabling accounts. */
export function registerOperationsCommands(program: Command, user: Command, withRuntime: WithRuntime) {
  program
    .command('audit')
    .description('the audit trail as JSON lines, newest first: sign-ins, marks, training, activations, deletions, exports, purges')
    .option('--since <date>', 'entries at or after this ISO date/time')
    .option('--action <action>', `only this action (${AUDIT_ACTIONS.join(', ')})`)
    .option('--limit <n>', 'how many', '1000')
    .action(async (opts: { since?: string; action?: string; limit: string }) => {
      if (opts.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(opts.action)) throw new Error(`--action: expected one of ${AUDIT_ACTIONS.join(', ')}, got ${opts.action}`);
      if (opts.since !== undefined && Number.isNaN(Date.parse(opts.since))) throw new Error(`--since: not a date: ${opts.since}`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: expected a positive whole number, got ${opts.limit}`);
      await withRuntime(async (rt) => {
        for (const e of await rt.store.auditTrail({ since: opts.since, action: opts.action as AuditAction | undefined, limit })) process.stdout.write(`${JSON.stringify(e)}\n`);
      });
    });

  program
    .command('backup')
    .description('a consistent copy of the database while the service runs (SQLite online backup); restore: README, "Operations"')
    .argument('<file>', 'where to write the copy (must not exist)')
    .action(async (file: string) => {
      if (existsSync(file)) throw new Error(`${file} exists; choose a new file name`);
      await withRuntime(async (rt) => {
        await rt.store.backup(file);
        await auditCli(rt, 'backup', file);
        process.stdout.write(`backed up ${rt.store.where} to ${file}\n`);
      });
    });

  const petitions = program.command('petitions').description('stored petitions');
  petitions
    .command('delete')
    .description("erase one petition's text and personal data (RODO); its fingerprint and score stay; recorded in the audit trail")
    .argument('<id>')
    .action(async (id: string) => {
      await withRuntime(async (rt) => {
        if (!(await rt.store.hasPetition(id))) throw new Error(`no petition ${id}`);
        const erased = await erasePetition(rt.store, id, cliActor(), null);
        process.stdout.write(erased ? `petition ${id}: text and personal data erased\n` : `petition ${id} was already erased\n`);
      });
    });

  program
    .command('purge')
    .description('erase the text and personal data of every petition received (else stored) before DATE (RODO); recorded in the audit trail')
    .requiredOption('--before <date>', 'ISO date, e.g. 2025-01-01')
    .action(async (opts: { before: string }) => {
      const before = new Date(opts.before);
      if (!/^\d{4}-\d{2}-\d{2}/.test(opts.before) || Number.isNaN(before.getTime())) throw new Error(`--before: expected an ISO date such as 2025-01-01, got ${opts.before}`);
      await withRuntime(async (rt) => {
        const n = await purgeBefore(rt.store, before, cliActor(), null);
        process.stdout.write(`erased ${n} petitions received before ${before.toISOString()}\n`);
      });
    });

  user
    .command('disable')
    .description('disable an account: it cannot sign in, and its sessions end at once (`sito user add` with a new password enables it again)')
    .argument('<login>')
    .action(async (login: string) => {
      await withRuntime(async (rt) => {
        const found = await rt.store.writeTransaction((tx) => tx.disableUser(login, new Date().toISOString()));
        if (!found) throw new Error(`no user ${login}`);
        await auditCli(rt, 'user_disable', login);
        process.stdout.write(`user ${login} disabled; their sessions are ended\n`);
      });
    });
}
