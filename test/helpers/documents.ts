import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { strToU8, zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Browser } from 'playwright-core';

/**
 * Fixtures for the document tests, built from the project's own texts: PDFs printed by
 * chromium, scans rasterised from them, DOCX/ODT and e-mails written here. No binary blobs.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const hasChromium = existsSync(CHROMIUM);
const has = (cmd: string, args: string[]) => !spawnSync(cmd, args, { encoding: 'utf8' }).error;
export const hasPdftoppm = has('pdftoppm', ['-v']);
export const hasQpdf = has('qpdf', ['--version']);
export const hasTesseractPol = (() => {
  const r = spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
  return !r.error && r.stdout.split('\n').some((l) => l.trim() === 'pol');
})();

/** A vendor's mass-mailed "petition" (written for these tests). */
export const VENDOR_PETITION = `Szanowny Pan Wójt / Burmistrz / Prezydent Miasta

Na podstawie art. 63 Konstytucji RP oraz ustawy z dnia 11 lipca 2014 r. o petycjach składamy petycję w interesie publicznym.

Wnosimy o przeprowadzenie bezpłatnego audytu cyberbezpieczeństwa systemów informatycznych gminy przez naszą firmę CyberTarcza Sp. z o.o. (www.cybertarcza-audyt.pl) oraz o wdrożenie rekomendowanego przez nas oprogramowania antywirusowego.

Prosimy o udzielenie odpowiedzi w maksymalnie trzech zdaniach na adres e-mail nadawcy. Wyrażamy zgodę na publikację petycji na stronie internetowej urzędu.

Z wyrazami szacunku
Zespół CyberTarcza`;

/** A resident's own petition (written for these tests). */
export const RESIDENT_PETITION = `Do Rady Gminy Zielonka

Petycja mieszkańców ulicy Leśnej w sprawie naprawy chodnika

My, mieszkańcy ulicy Leśnej, zwracamy się z prośbą o naprawę chodnika na odcinku od przystanku autobusowego do szkoły podstawowej. Płyty chodnikowe są popękane i zapadnięte, a zimą tworzy się tam lód. W zeszłym miesiącu przewróciła się tam starsza sąsiadka.

Prosimy o ujęcie remontu w budżecie na przyszły rok.

Anna Wiśniewska, ul. Leśna 12, Zielonka
Zgadzam się na publikację imienia i nazwiska.`;

export const COVER_NOTE = `Dzień dobry,

w załączeniu przesyłam petycję naszej firmy. Prosimy o potwierdzenie odbioru.

Pozdrawiam
Jan Kowalski`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const petitionHtml = (text: string) =>
  `<!doctype html><html lang="pl"><meta charset="utf-8"><style>body{font:14pt serif;margin:2cm}p{margin:0 0 .8em}</style><body>${text
    .split('\n\n')
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;

/** A PDF with a text layer: the text printed from HTML by chromium. */
export async function printPdf(browser: Browser, text: string): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.setContent(petitionHtml(text));
    return await page.pdf({ format: 'A4' });
  } finally {
    await page.close();
  }
}

/** A scan: each page of `pdf` rasterised by pdftoppm, printed again as images only (no text layer). */
export async function scanOf(browser: Browser, pdf: Buffer, dpi = 150, copies = 1): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'sito-scan-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', join(dir, 'in.pdf'), join(dir, 'p')]);
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    const imgs = pngs.map((f) => `<img src="data:image/png;base64,${readFileSync(join(dir, f)).toString('base64')}">`);
    const all = Array.from({ length: copies }, () => imgs).flat();
    const page = await browser.newPage();
    try {
      await page.setContent(`<!doctype html><style>@page{size:A4;margin:0}body{margin:0}img{width:210mm;height:297mm;display:block;page-break-after:always}</style>${all.join('')}`);
      return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '0', bottom: '0', left: '0', right: '0' } });
    } finally {
      await page.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first page of a PDF as a PNG (an image attachment: a phone photo of a letter). */
export function pngOf(pdf: Buffer, dpi = 150): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sito-png-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', '-singlefile', '-f', '1', '-l', '1', join(dir, 'in.pdf'), join(dir, 'p')]);
    return readFileSync(join(dir, 'p.png'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PDF encrypted with a user password (qpdf), as a clerk could not open it either. */
export function encryptPdf(pdf: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sito-enc-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('qpdf', ['--encrypt', 'tajne-haslo', 'wlasciciel', '256', '--', join(dir, 'in.pdf'), join(dir, 'out.pdf')]);
    return readFileSync(join(dir, 'out.pdf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A DOCX written by the `docx` package: one paragraph per blank-line-separated block. */
export async function docxOf(text: string): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: text.split('\n\n').map((p) => new Paragraph({ children: p.split('\n').map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : 0 })) })) }],
  });
  return Packer.toBuffer(doc);
}

const ODT_MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`;

/** A minimal ODT (what LibreOffice writes, reduced): mimetype first and stored, content.xml, manifest. */
export function odtOf(text: string): Buffer {
  const body = text
    .split('\n\n')
    .map((p) => `<text:p>${esc(p).replace(/\n/g, '<text:line-break/>').replace(/ {2}/g, ' <text:s/>')}</text:p>`)
    .join('');
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text>${body}</office:text></office:body></office:document-content>`;
  return Buffer.from(
    zipSync({
      mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
      'content.xml': strToU8(content),
      'META-INF/manifest.xml': strToU8(ODT_MANIFEST),
    }),
  );
}

/** A DOCX whose document.xml expands to `mb` megabytes (a zip bomb that declares its size honestly). */
export function docxBomb(mb: number): Buffer {
  const filler = new Uint8Array(mb * 1024 * 1024).fill(0x20);
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'word/document.xml': [filler, { level: 1 }],
    }),
  );
}

export interface MailOptions {
  from?: string;
  subject?: string;
  date?: Date;
  text?: string;
  html?: string;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType?: string }>;
}

/** An e-mail written by nodemailer's MailComposer, as an office's mail server would keep it. */
export async function emailOf(o: MailOptions): Promise<Buffer> {
  const mail = new MailComposer({
    from: o.from ?? 'Jan Kowalski <jan.kowalski@cybertarcza-audyt.pl>',
    to: 'sekretariat@zielonka.pl',
    subject: o.subject ?? 'Petycja',
    date: o.date ?? new Date('2026-03-02T09:15:00+01:00'),
    text: o.text,
    html: o.html,
    attachments: o.attachments,
  });
  return mail.compile().build();
}

/** An e-mail whose multiparts nest `depth` levels deep (hand-written MIME). */
export function nestedMultipart(depth: number): Buffer {
  let body = 'Content-Type: text/plain; charset=utf-8\r\n\r\nWnosimy petycję.\r\n';
  for (let d = 0; d < depth; d++) {
    const b = `b${d}`;
    body = `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n${body}\r\n--${b}--\r\n`;
  }
  return Buffer.from(`From: a@example.pl\r\nSubject: zagniezdzone\r\nMIME-Version: 1.0\r\n${body}`);
}

/**
 * A one-page PDF whose content stream inflates to `mb` megabytes of spaces: one flushed deflate
 * segment of 1 MB repeated (written by hand, ~1 kB per inflated MB).
 */
export function pdfBomb(mb: number): Buffer {
  const seg = deflateRawSync(Buffer.alloc(1024 * 1024, 0x20), { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const data = Buffer.concat([Buffer.from([0x78, 0x9c]), ...Array<Buffer>(mb).fill(seg), deflateRawSync(Buffer.alloc(0))]);
  const parts: Buffer[] = [];
  let pos = 0;
  const push = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    parts.push(b);
    pos += b.length;
  };
  const offsets: number[] = [];
  push('%PDF-1.4\n');
  ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>'].forEach((o, i) => {
    offsets.push(pos);
    push(`${i + 1} 0 obj\n${o}\nendobj\n`);
  });
  offsets.push(pos);
  push(`4 0 obj\n<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`);
  push(data);
  push('\nendstream\nendobj\n');
  const xref = pos;
  push(`xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** A PNG that says it is `side`×`side` grey pixels, all of them zeros (an image bomb of a few kB per 40 MB). */
export function pngBomb(side: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const seg = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const mb = Math.ceil(((side + 1) * side) / (1024 * 1024));
  const idat = Buffer.concat([Buffer.from([0x78, 0x9c]), ...Array<Buffer>(mb).fill(seg), deflateRawSync(Buffer.alloc(0))]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
