import { writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readLabelledCsv, type LabelledRow } from '../src/ingest/labelled-csv.js';
import { tempDir } from './helpers/sito-process.js';

async function read(content: string | Buffer): Promise<LabelledRow[]> {
  const file = `${tempDir()}/in.csv`;
  writeFileSync(file, content);
  const rows: LabelledRow[] = [];
  for await (const r of readLabelledCsv(file)) rows.push(r);
  return rows;
}
const readError = async (content: string | Buffer) => {
  try {
    await read(content);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('labelled CSV', () => {
  it('reads UTF-8 with commas, quoted multi-line fields, and names each record by its first line', async () => {
    const rows = await read('id,label,text,extra\n1,mass,"Kierownik JST\n\nWnosimy, o ""audyt""",x\n2,regular,Prośba o ławkę,y\n');
    expect(rows.map((r) => [r.line, r.id, r.label])).toEqual([[2, '1', 'mass'], [5, '2', 'regular']]);
    expect(rows[0]!.text).toBe('Kierownik JST\n\nWnosimy, o "audyt"');
  });

  it('reads a file saved by Excel in the Polish locale: semicolons and Windows-1250', async () => {
    const rows = await read(iconv.encode('label;text;family\nzwykła;Proszę o naprawę chodnika na ulicy Żeromskiego, ąęśćźżół;chodnik\nmasowa;Szanowni Państwo Wójtowie;x\n', 'win1250'));
    expect(rows.map((r) => r.label)).toEqual(['regular', 'mass']);
    expect(rows[0]!.text).toBe('Proszę o naprawę chodnika na ulicy Żeromskiego, ąęśćźżół');
    expect(rows[0]!.family).toBe('chodnik');
  });

  it('reads UTF-8 with a BOM, labels in any case', async () => {
    const rows = await read('\uFEFFText,Label\nPetycja,MASS\n');
    expect(rows[0]!.label).toBe('mass');
  });

  it('names the line and column of an unknown label', async () => {
    expect(await readError('text,label\na,mass\nb,spam\n')).toMatch(/line 3, column label: unknown label "spam"/);
  });

  it('names the missing column', async () => {
    expect(await readError('tekst,label\na,mass\n')).toMatch(/line 1, column text: the header has no "text" column/);
  });

  it('names the line of an empty text', async () => {
    expect(await readError('text,label\n"  ",mass\n')).toMatch(/line 2, column text: the petition text is empty/);
  });

  it('refuses an empty file, and a header with no rows', async () => {
    expect(await readError('')).toMatch(/the file is empty/);
    expect(await readError('text,label\n')).toMatch(/no petitions/);
  });

  it('names the line of a record with the wrong number of columns', async () => {
    expect(await readError('text,label\na,mass\nb,mass,extra\n')).toMatch(/line 3/);
  });
});
