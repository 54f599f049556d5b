import type { Reason } from '../decision/result.js';
import type { DocumentPart, Skipped } from '../ingest/documents/types.js';
import { html, type SafeHtml } from './html.js';

/** What the pages show of a document: its parts, what was skipped, and whether the original is kept. */
export interface DocumentView {
  content_type: string;
  filename: string | null;
  size: number;
  /** the original can be downloaded */
  kept: boolean;
  parts: DocumentPart[];
  skipped: Skipped[];
}

/** The file picker's filter on the check page. */
export const DOCUMENT_ACCEPT = '.eml,.msg,.pdf,.docx,.odt,.txt,.png,.jpg,.jpeg,.tif,.tiff,message/rfc822,application/pdf,text/plain,image/*';

const ROLE_PL: Record<DocumentPart['role'], string> = { body: 'treść', cover_note: 'pismo przewodnie', attachment: 'załącznik' };
const TYPE_PL: Record<string, string> = {
  'message/rfc822': 'e-mail',
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.oasis.opendocument.text': 'ODT',
  'application/vnd.ms-outlook': 'Outlook .msg',
  'text/plain': 'tekst',
  'image/png': 'obraz PNG',
  'image/jpeg': 'obraz JPEG',
  'image/tiff': 'obraz TIFF',
};
const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`);

/** Part label: "Załącznik: petycja.pdf (PDF, OCR)". */
export const partLabel = (p: DocumentPart) => `${ROLE_PL[p.role][0]!.toUpperCase()}${ROLE_PL[p.role].slice(1)}: ${p.name} (${TYPE_PL[p.type] ?? p.type}${p.ocr ? ', odczytany przez OCR' : ''})`;

/** The reasons with only the evidence inside one part, its offsets made relative to the part. */
function reasonsWithin(reasons: readonly Reason[], part: DocumentPart): Reason[] {
  return reasons.map((r) => ({
    ...r,
    evidence: r.evidence.filter((e) => e.start >= part.start && e.end <= part.end).map((e) => ({ ...e, start: e.start - part.start, end: e.end - part.start })),
  }));
}

/**
 * The petition's text part by part, each under a heading that names where it came from (the
 * cover note, each attachment, OCR), with the evidence highlighted inside its part.
 */
export function partedText(text: string, parts: readonly DocumentPart[], reasons: readonly Reason[], highlight: (text: string, reasons: readonly Reason[]) => SafeHtml): SafeHtml {
  return html`${parts.map(
    (p, i) => html`<div class="doc-part">
  <h3 id="czesc-${i + 1}">${partLabel(p)}</h3>
  <div class="petition-text" tabindex="0">${highlight(text.slice(p.start, p.end), reasonsWithin(reasons, p))}</div>
</div>`,
  )}`;
}

/** The document's card: the original for download, its parts and what could not be read. */
export function documentCard(petitionId: string | null, d: DocumentView): SafeHtml {
  const download = petitionId && d.kept ? `/v1/petitions/${encodeURIComponent(petitionId)}/document` : null;
  return html`<section class="card" aria-labelledby="dokument"><h2 id="dokument">Dokument</h2>
  <p>${TYPE_PL[d.content_type] ?? d.content_type}${d.filename ? html` <q>${d.filename}</q>` : ''}${d.size ? ` · ${kb(d.size)}` : ''}
  ${download ? html` · <a href="${download}" download>Pobierz oryginał</a>` : petitionId ? html` · <span class="muted">oryginał nie został zachowany</span>` : ''}</p>
  <ol class="doc-parts">${d.parts.map((p, i) => html`<li><a href="#czesc-${i + 1}">${partLabel(p)}</a></li>`)}</ol>
  ${d.skipped.length ? html`<p>Nie odczytano:</p><ul class="doc-skipped">${d.skipped.map((s) => html`<li>${s.name}: ${s.reason}</li>`)}</ul>` : ''}
</section>`;
}
