import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sitoSync, tempDir } from './helpers/sito-process.js';
import { COVER_NOTE, docxOf, emailOf, odtOf, RESIDENT_PETITION, VENDOR_PETITION } from './helpers/documents.js';

describe('sito score --documents', () => {
  it('scores each file as one JSON line with its document; a bad file is named on stderr, the others still scored, exit non-zero', async () => {
    const dir = tempDir();
    const files = {
      eml: join(dir, 'petycja.eml'),
      broken: join(dir, 'zepsuty.pdf'),
      odt: join(dir, 'mieszkancy.odt'),
    };
    writeFileSync(files.eml, await emailOf({ subject: 'Audyt', text: COVER_NOTE, attachments: [{ filename: 'petycja.docx', content: await docxOf(VENDOR_PETITION) }] }));
    writeFileSync(files.broken, '%PDF-1.7\n1 0 obj\n<< /Type /Catalog');
    writeFileSync(files.odt, odtOf(RESIDENT_PETITION));
    const r = sitoSync(['score', '--documents', files.eml, files.broken, files.odt, join(dir, 'brak.pdf')], { env: { SITO_DATA_DIR: join(dir, 'data'), SITO_EMBEDDING_MODEL: 'none' } });
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { level: string; document: { parts: Array<{ name: string; role: string }>; text: string } });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.level).toBe('high');
    expect(lines[0]!.document.parts.map((p) => p.role)).toEqual(['cover_note', 'attachment']);
    expect(lines[1]!.document.parts[0]!.name).toBe('mieszkancy.odt');
    expect(r.stderr).toContain(`sito: ${files.broken}: `);
    expect(r.stderr).toMatch(/zepsuty\.pdf.*\(corrupt\)/);
    expect(r.stderr).toContain(`${join(dir, 'brak.pdf')}: no such file`);
    expect(r.stderr).toMatch(/2 of 4 documents could not be read/);
  }, 60_000);

  it('without --documents it still reads JSON lines from one file', { timeout: 60_000 }, () => {
    const dir = tempDir();
    const f = join(dir, 'in.jsonl');
    writeFileSync(f, `${JSON.stringify({ id: 'a', text: RESIDENT_PETITION })}\n`);
    const r = sitoSync(['score', f, '--no-store'], { env: { SITO_DATA_DIR: dir, SITO_EMBEDDING_MODEL: 'none' } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe('a');
  });
});
