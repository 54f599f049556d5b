import type { Command } from 'commander';
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
      await withRuntime((rt) => {
        for (const e of rt.store.auditTrail({ since: opts.since, action: opts.action as AuditAction | undefined, limit })) process.stdout.write(`${JSON.stringify(e)}\n`);
      });
    });

  user
    .command('disable')
    .description('disable an account: it cannot sign in, and its sessions end at once (`sito user add` with a new password enables it again)')
    .argument('<login>')
    .action(async (login: string) => {
      await withRuntime((rt) => {
        const found = rt.store.writeTransaction(() => rt.store.disableUser(login, new Date().toISOString()));
        if (!found) throw new Error(`no user ${login}`);
        auditCli(rt, 'user_disable', login);
        process.stdout.write(`user ${login} disabled; their sessions are ended\n`);
      });
    });
}
