import { existsSync } from 'node:fs';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteMigrator, SqliteStore } from '../src/storage/sqlite-store.js';
import { MIGRATIONS } from '../src/storage/migrations.js';
import { storeContract } from './store-contract.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

storeContract('SQLite', async () => {
  const dir = tempDir();
  const store = SqliteStore.open(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store: one connection shared by concurrent requests', () => {
  it('calling the outer store inside its own write transaction is an error, not a wait for ever', async () => {
    const store = SqliteStore.open(tempDir());
    await expect(store.writeTransaction(async () => store.hasPetition('x'))).rejects.toThrow(/inside its own write transaction/);
    await expect(store.writeTransaction(async () => store.writeTransaction(async () => 1))).rejects.toThrow(/inside its own write transaction/);
    // the store works on afterwards
    expect(await store.writeTransaction(async (tx) => tx.hasPetition('x'))).toBe(false);
    await store.close();
  });

  it("another request's write waits for an open transaction and is not rolled back with it", async () => {
    const store = SqliteStore.open(tempDir());
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const failing = store
      .writeTransaction(async (tx) => {
        await tx.setLoginFailures('account', 'in-tx', '2026-01-01T00:00:00Z', 1);
        opened();
        for (let i = 0; i < 10; i++) await tx.hasPetition('x');
        throw new Error('rolled back');
      })
      .catch(() => 'rolled back');
    await open;
    // issued while the transaction is open, between its awaits
    const outside = store.setLoginFailures('account', 'outside', '2026-01-01T00:00:00Z', 1);
    expect(await failing).toBe('rolled back');
    await outside;
    expect(await store.loginFailures('account', 'in-tx')).toBeNull();
    expect(await store.loginFailures('account', 'outside')).not.toBeNull();
    await store.close();
  });

  it("a write transaction waits for another connection's write lock without blocking the process, then goes on", async () => {
    const store = SqliteStore.open(tempDir());
    // another connection holds the write lock, as another process (serve --workers N) does
    const other = new Database(store.path);
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticking = setInterval(() => ticks++, 5);
    const started = Date.now();
    const writing = store.writeTransaction(async (tx) => {
      await tx.setLoginFailures('account', 'waited', '2026-01-01T00:00:00Z', 1);
      return Date.now();
    });
    // let go after 200 ms, from a timer of this very process: it fires only if the wait leaves the
    // event loop running (SQLite's own busy wait would hold it until its timeout, and then fail)
    setTimeout(() => other.exec('COMMIT'), 200);
    const committedAt = await writing;
    clearInterval(ticking);
    expect(committedAt - started).toBeGreaterThanOrEqual(190);
    expect(ticks).toBeGreaterThan(10);
    expect(await store.loginFailures('account', 'waited')).not.toBeNull();
    other.close();
    await store.close();
  });
});

describe('sito migrate', () => {
  it('status reads without creating or changing anything; up applies what is pending; a newer schema is refused', () => {
    const dir = `${tempDir()}/office`;
    const env = { SITO_DATA_DIR: dir };
    const before = sitoSync(['migrate', 'status'], { env });
    expect(before.status, before.stderr).toBe(0);
    const lines = before.stdout.trim().split('\n').map((l) => JSON.parse(l) as { version: number; state: string; applied_at: string | null });
    expect(lines.map((l) => l.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(lines.every((l) => l.state === 'pending' && l.applied_at === null)).toBe(true);
    expect(before.stderr).toMatch(new RegExp(`0 of ${MIGRATIONS.length} migrations applied, ${MIGRATIONS.length} pending`));
    expect(existsSync(dir)).toBe(false);

    const up = sitoSync(['migrate', 'up'], { env });
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout.trim().split('\n')).toHaveLength(MIGRATIONS.length);
    const after = sitoSync(['migrate', 'status'], { env });
    expect(after.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state)).toEqual(MIGRATIONS.map(() => 'applied'));
    const again = sitoSync(['migrate', 'up'], { env });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/up to date/);
  });

  it('status names migrations a newer Sito applied, and up refuses to touch that schema', async () => {
    const dir = tempDir();
    const store = SqliteStore.open(dir);
    store.sync.connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', '2030-01-01')").run();
    await store.close();
    const states = await new SqliteMigrator(dir).status();
    expect(states.at(-1)).toEqual({ version: 999, name: 'from the future', applied_at: '2030-01-01' });
    const status = sitoSync(['migrate', 'status'], { env: { SITO_DATA_DIR: dir } });
    expect(status.status).toBe(0);
    expect(status.stderr).toMatch(/1 applied by a newer Sito/);
    const up = sitoSync(['migrate', 'up'], { env: { SITO_DATA_DIR: dir } });
    expect(up.status).not.toBe(0);
    expect(up.stderr).toMatch(/newer than this Sito knows/);
  });
});
