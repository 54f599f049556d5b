import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { strFromU8 } from 'fflate';
import { asDocumentError, DocumentError } from './errors.js';
import { openZip } from './zip-guard.js';
import type { DocumentLimits } from './types.js';

const TEXT_NS = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0';
const OFFICE_NS = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0';

/** An ODT's text: content.xml (checked by zip-guard) parsed by xmldom, paragraph by paragraph. */
export function readOdt(bytes: Uint8Array, what: string, limits: DocumentLimits): string {
  const files = openZip(bytes, what, limits.maxExpandedBytes, (n) => n === 'content.xml');
  const xml = files['content.xml'];
  if (!xml) throw new DocumentError('corrupt', `${what} is not an OpenDocument text (no content.xml inside)`);
  let root: Element | null;
  try {
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(strFromU8(xml), 'text/xml');
    if (errors.length) throw new Error(errors[0]);
    root = doc.getElementsByTagNameNS(OFFICE_NS, 'text')[0] ?? null;
  } catch (e) {
    throw asDocumentError(e, what);
  }
  if (!root) throw new DocumentError('corrupt', `${what}: content.xml has no office:text`);
  const out: string[] = [];
  const walk = (node: Node) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3 || c.nodeType === 4) out.push(c.nodeValue ?? '');
      if (c.nodeType !== 1) continue;
      const el = c as Element;
      if (el.namespaceURI === TEXT_NS) {
        if (el.localName === 's') {
          out.push(' '.repeat(Math.min(100, Number(el.getAttributeNS(TEXT_NS, 'c') || '1') || 1)));
          continue;
        }
        if (el.localName === 'tab') {
          out.push('\t');
          continue;
        }
        if (el.localName === 'line-break') {
          out.push('\n');
          continue;
        }
        if (el.localName === 'tracked-changes' || el.localName === 'sequence-decls') continue;
      }
      walk(el);
      if (el.namespaceURI === TEXT_NS && (el.localName === 'p' || el.localName === 'h')) out.push('\n\n');
    }
  };
  walk(root);
  return out.join('').replace(/\n{3,}/g, '\n\n').trim();
}
