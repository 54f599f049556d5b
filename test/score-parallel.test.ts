import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { sitoAsync, tempDir } from './helpers/sito-process.js';
import { writeFileSync } from 'node:fs';

const rows = (parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<{ text: string }>).slice(0, 240);
const lines = rows.map((r, i) => JSON.stringify({ id: `p${i}`, text: r.text }));
const file = (ls: string[]) => {
  const f = `${tempDir()}/in.jsonl`;
  writeFileSync(f, `${ls.join('\n')}\n`);
  return f;
};
/** Campaign ids are random: name them by first appearance to compare two runs. */
const sameCampaigns = (out: string) => {
  const names = new Map<string, string>();
  return out.replace(/kmp-[0-9a-f]{8}/g, (k) => names.get(k) ?? (names.set(k, `K${names.size}`), names.get(k)!));
};
const run = (args: string[], dir = tempDir()) => sitoAsync(['score', ...args], { SITO_DATA_DIR: dir });

describe('sito score on several threads', () => {
  it('writes the one-thread output, line for line, with nothing stored', async () => {
    const f = file(lines);
    const [one, three] = await Promise.all([run([f, '--no-store', '--jobs', '1']), run([f, '--no-store', '--jobs', '3'])]);
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    expect(three.stdout.trim().split('\n')).toHaveLength(lines.length);
    expect(three.stdout).toBe(one.stdout);
  });

  it('stores in input order: the same verdicts and campaigns as one thread', async () => {
    const f = file(lines);
    const [one, two] = await Promise.all([run([f, '--jobs', '1']), run([f, '--jobs', '2'])]);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(one.stdout).toMatch(/kmp-/); // campaigns formed
    expect(sameCampaigns(two.stdout)).toBe(sameCampaigns(one.stdout));
  });

  it('stops at a bad line with its number, after writing every earlier line and none after', async () => {
    const bad = [...lines.slice(0, 149), '{"id": "x", "text": ', ...lines.slice(149)];
    const good = await run([file(lines), '--no-store', '--jobs', '1']);
    const r = await run([file(bad), '--no-store', '--jobs', '2']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 150: malformed JSON/);
    expect(r.stdout).toBe(good.stdout.split('\n').slice(0, 149).join('\n') + '\n');
  });

  it('stops at an id stored with another text, keeping what came before it', async () => {
    const dir = tempDir();
    const clash = [...lines.slice(0, 100), JSON.stringify({ id: 'p3', text: 'Inna treść pod tym samym numerem.' }), ...lines.slice(100)];
    const r = await run([file(clash), '--jobs', '2'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 101: id: a petition with id "p3" is already stored with another text/);
    expect(r.stdout.trim().split('\n')).toHaveLength(100);
  });
});

describe('SITO_SCORING=rules', () => {
  it('scores with the rules’ own weights: no trained model, no embedding, reasons still explained', async () => {
    const r = await sitoAsync(['score', '--no-store', '--jobs', '1', file(lines.slice(0, 5))], { SITO_DATA_DIR: tempDir(), SITO_SCORING: 'rules' });
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { model: { version: string; embedding: string | null }; reasons: Array<{ signal: string; contribution: number }> });
    for (const o of out) {
      expect(o.model.version).toMatch(/^rules-v/);
      expect(o.model.embedding).toBeNull();
      expect(o.reasons.some((x) => x.signal === 'model' || x.signal === 'embedding')).toBe(false);
    }
    expect(out.some((o) => o.reasons.length > 0)).toBe(true);
  });
});
