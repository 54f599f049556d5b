import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { strToU8, zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import CFB from 'cfb';
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

export interface MsgOptions {
  subject?: string;
  senderName?: string;
  /** PR_SENDER_EMAIL_ADDRESS (0C1F): an SMTP address, or the X500 DN an Exchange server writes there */
  senderEmail?: string;
  /** PR_SENDER_SMTP_ADDRESS (5D01) */
  senderSmtp?: string;
  body?: string;
  /** PR_CLIENT_SUBMIT_TIME (0039), written in the fixed-length property stream */
  submitted?: Date;
  attachments?: Array<{ filename: string; content: Buffer; mimeType?: string }>;
}

const PT_UNICODE = '001F';
const PT_BINARY = '0102';
const utf16 = (s: string) => Buffer.from(s, 'utf16le');
/** One fixed-length property entry of a `__properties_version1.0` stream: tag, flags, 8 bytes of value. */
const fixedProp = (tag: number, value: Buffer) => {
  const e = Buffer.alloc(16);
  e.writeUInt32LE(tag >>> 0, 0);
  e.writeUInt32LE(0x6, 4); // PROPATTR_READABLE | PROPATTR_WRITABLE
  value.copy(e, 8);
  return e;
};
/** A Windows FILETIME (100 ns since 1601-01-01 UTC) as 8 little-endian bytes. */
const fileTime = (d: Date) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(d.getTime()) + 11_644_473_600_000n) * 10_000n);
  return b;
};

/**
 * An Outlook .msg ([MS-OXMSG]) written with SheetJS `cfb`: the message's properties as
 * `__substg1.0_<tag>` streams (strings in UTF-16LE), a top-level `__properties_version1.0` (32-byte
 * header, then fixed-length entries), and each attachment in its own `__attach_version1.0_#NNNNNNNN`
 * storage with its long file name (3707), bytes (3701) and MIME tag (370E). `cfb` also writes its own
 * 4-byte `\u0001Sh33tJ5` stream at the root on every write; readers ignore a stream they do not know.
 */
export function msgOf(o: MsgOptions): Buffer {
  const cfb = CFB.utils.cfb_new();
  const add = (path: string, content: Buffer) => CFB.utils.cfb_add(cfb, path, content);
  const str = (dir: string, id: string, value: string | undefined) => {
    if (value !== undefined) add(`${dir}/__substg1.0_${id}${PT_UNICODE}`, utf16(value));
  };
  const attachments = o.attachments ?? [];
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0, 16); // next recipient id
  header.writeUInt32LE(attachments.length, 20); // next attachment id
  header.writeUInt32LE(0, 24); // recipient count
  header.writeUInt32LE(attachments.length, 28); // attachment count
  const fixed = [fixedProp(0x0e070003, Buffer.from([attachments.length ? 0x10 : 0, 0, 0, 0, 0, 0, 0, 0]))]; // PR_MESSAGE_FLAGS: has attachments
  if (o.submitted) fixed.push(fixedProp(0x00390040, fileTime(o.submitted)));
  add('/__properties_version1.0', Buffer.concat([header, ...fixed]));
  str('', '001A', 'IPM.Note');
  str('', '0037', o.subject);
  str('', '0C1A', o.senderName);
  if (o.senderEmail !== undefined) str('', '0C1E', o.senderEmail.startsWith('/') ? 'EX' : 'SMTP');
  str('', '0C1F', o.senderEmail);
  str('', '5D01', o.senderSmtp);
  str('', '1000', o.body);
  attachments.forEach((a, i) => {
    const dir = `/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    const props = Buffer.alloc(8);
    add(`${dir}/__properties_version1.0`, Buffer.concat([props, fixedProp(0x37050003, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]))])); // PR_ATTACH_METHOD: ATTACH_BY_VALUE
    str(dir, '3707', a.filename);
    str(dir, '3704', a.filename.slice(0, 12));
    if (a.mimeType) str(dir, '370E', a.mimeType);
    add(`${dir}/__substg1.0_3701${PT_BINARY}`, a.content);
  });
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

/** A score answer for a document, as the document tests read it. */
export interface DocumentPartView {
  name: string;
  type: string;
  role: string;
  start: number;
  end: number;
  ocr: boolean;
}
export interface DocAnswer {
  id: string;
  level: string;
  reasons: Array<{ id: string; evidence: Array<{ start: number; end: number; text: string }> }>;
  document: { text: string; parts: DocumentPartView[]; skipped: Array<{ name: string; reason: string; code?: string }> };
  error?: string;
  message?: string;
}

/** POSTs a document to the score route: as the raw body with its type, or as a multipart file. */
export const postDocument = async (base: string, body: Uint8Array | string, type: string, query = '') => {
  const r = await fetch(`${base}/v1/petitions/score${query}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: r.status, json: (await r.json()) as DocAnswer };
};
export const postDocumentFile = async (base: string, body: Uint8Array, filename: string, type: string, field = 'file', query = '') => {
  const form = new FormData();
  form.append(field, new Blob([body], { type }), filename);
  const r = await fetch(`${base}/v1/petitions/score${query}`, { method: 'POST', body: form });
  return { status: r.status, json: (await r.json()) as DocAnswer };
};
