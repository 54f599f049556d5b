/**
 * Formal completeness of a petition under the Petitions Act (ustawa z dnia 11 lipca 2014 r. o
 * petycjach), read from its text and the sender fields it came with:
 *
 * - art. 4 ust. 2 pkt 1: who submits it (a person's name; for a legal person or a group its name
 *   and the person representing it);
 * - art. 4 ust. 2 pkt 2: the submitter's place of residence or seat and an address for letters;
 * - art. 4 ust. 2 pkt 3: the addressee; pkt 4: the subject;
 * - art. 4 ust. 5: an e-petition also gives the submitter's e-mail address;
 * - art. 4 ust. 3: (optional) consent to publishing the submitter's personal data on the website.
 *
 * art. 7 ust. 1: without pkt 1 or 2 the petition is left unconsidered (bez rozpatrzenia);
 * art. 7 ust. 2: without pkt 3 or 4 the office calls, within 30 days of submission, for completion
 * within 14 days; for a petycja wielokrotna the call is announced on the website (art. 11 ust. 3).
 *
 * Pure: a heuristic reading that points at its evidence; the clerk decides.
 */
import type { Evidence } from '../decision/result.js';

export type FormalKey = 'submitter' | 'address' | 'addressee' | 'subject' | 'email' | 'consent_to_publish';

export interface FormalElement {
  found: boolean;
  /** where it was read: the text (with evidence spans), the sender/subject fields, or nowhere */
  source: 'text' | 'fields' | null;
  evidence: Evidence[];
  /** the field value used when source is 'fields' */
  value?: string;
  /** Polish, for a clerk: what the Act asks and what was (not) found */
  note: string;
}

export type Step = 'consider' | 'call_to_complete' | 'leave_unconsidered';

export interface FormalCheck {
  elements: Record<FormalKey, FormalElement>;
  /** art. 7: what the office does next */
  step: Step;
  step_description: string;
  /** submitted electronically (an e-mail address came with it): art. 4 ust. 5 applies */
  electronic: boolean;
  /** legal person or group (art. 4 ust. 2 pkt 1: its name and the person representing it) */
  legal_person: boolean;
}

/** The booleans CONTRACTS names for `formal`. */
export const formalFlags = (c: FormalCheck) => ({
  submitter: c.elements.submitter.found,
  address: c.elements.address.found,
  addressee: c.elements.addressee.found,
  subject: c.elements.subject.found,
  consent_to_publish: c.elements.consent_to_publish.found,
});

const UP = 'A-ZĄĆĘŁŃÓŚŹŻ';
const LO = 'a-ząćęłńóśźż';
const NAME_WORD = `[${UP}][${LO}]+(?:-[${UP}][${LO}]+)?`;
/** Capitalised words that open a greeting, an office or an organisation, not a person's name. */
const NOT_A_NAME = String.raw`(?!(?:Szanown|Rad[aoyzęą]\b|Radn|Mieszka|Zarząd|Gmin[ayięo]\b|Urząd|Urzęd|Wójt|Wójcie\b|Burmistrz|Prezydent|Starost|Sołt|Państw|Pan[ia]?\b|Panie\b|Stowarzysz|Fundacj|Dyrektor|Prezes|Przewodnicz|Członk|Ochotnicz|Koł[oa]\b|Związ|Osiedl|Miast|Szkoł|Petycj|Wnios|Dotycz|Rodzic|Komitet|Klub|Parafi|Spółdziel|Towarzyst|Inicjatyw|Grupa|Sekretarz|Skarbnik))`;
const PERSON = new RegExp(`${NOT_A_NAME}${NAME_WORD}[ \\t]+${NOT_A_NAME}${NAME_WORD}`, 'u');

const ev = (text: string, start: number, end: number): Evidence => ({ start, end, text: text.slice(start, end) });

function lines(text: string): Array<{ start: number; end: number; line: string }> {
  const out: Array<{ start: number; end: number; line: string }> = [];
  let start = 0;
  for (const line of text.split('\n')) {
    const trimmedStart = line.length - line.trimStart().length;
    const body = line.trimEnd().replace(/\r$/, '');
    out.push({ start: start + trimmedStart, end: start + body.length, line: body.slice(trimmedStart) });
    start += line.length + 1;
  }
  return out;
}

/** art. 4 ust. 2 pkt 3 — an office or organ named as the addressee. */
const ADDRESSEE = new RegExp(
  String.raw`(?:^|\n)[ \t]*(?:do:?\s+|szanown\p{L}+\s+)?(?:pan\p{L}*\s+)?(wój[tc]\p{L}*|burmistrz\p{L}*|prezydent\p{L}*\s+(?:miasta|m\.)|rad[ayz]?\s+(?:gminy|miasta|miejsk\p{L}+|powiatu)|przewodnicząc\p{L}+\s+rady|starost\p{L}*|zarząd\p{L}*\s+(?:gminy|powiatu|województwa|dzielnicy)|marszał\p{L}+|urząd\p{L}*\s+(?:gminy|miasta|miejsk\p{L}+|marszałkowsk\p{L}+)|kierownik\p{L}*\s+jednostki|sołty\p{L}+|dyrektor\p{L}*\s+\S+)[^\n]*`,
  'giu',
);

/** art. 4 ust. 2 pkt 4 — what the petition asks for. */
const SUBJECT = new RegExp(
  String.raw`(?:petycj\p{L}+\s+w\s+sprawie|przedmiot(?:em)?\s+petycji|dotyczy\s*:|w\s+sprawie\s*:|wnoszę\s+o|wnosimy\s+o|zwracam\s+się\s+z\s+(?:prośbą|wnioskiem|petycją)|zwracamy\s+się\s+z\s+(?:prośbą|wnioskiem|petycją)|apeluj\p{L}+\s+o|postuluj\p{L}+|proszę\s+o|prosimy\s+o|żądam\p{L}*|domagam\p{L}*\s+się)[^\n]*`,
  'iu',
);

const POSTAL = /\b\d{2}-\d{3}[ \t]+[A-ZĄĆĘŁŃÓŚŹŻ][\p{L}-]+(?:[ \t]+[A-ZĄĆĘŁŃÓŚŹŻ][\p{L}-]+)?/gu;
const STREET = /\b(?:ul\.|ulica|al\.|aleja|alei|os\.|osiedle|pl\.|plac)\s*[A-ZĄĆĘŁŃÓŚŹŻ0-9][\p{L}.-]*(?:\s+[A-ZĄĆĘŁŃÓŚŹŻ][\p{L}.-]*){0,3}\s+\d+[a-zA-Z]?(?:\s*\/\s*\d+[a-zA-Z]?|\s+m\.\s*\d+)?/gu;
const VILLAGE = /\b(?:zamieszka\p{L}+|zam\.|z\s+siedzibą)\s+(?:w\s+)?(?:miejscowości\s+)?[A-ZĄĆĘŁŃÓŚŹŻ][\p{L}-]+(?:\s+\d+[a-zA-Z]?)?/gu;

// organisations by their capitalised names (lower-case "w związku z", "spółki" in prose are not submitters)
const LEGAL = /(?:\b(?:Stowarzyszeni\p{L}+|Fundacj\p{L}+|Spółk\p{L}+|Spółdzielni\p{L}+|Towarzystw\p{L}+|Związ\p{L}+\s+[A-ZĄĆĘŁŃÓŚŹŻ]\p{L}+|Klub\p{L}*\s+[A-ZĄĆĘŁŃÓŚŹŻ„"]|Parafi\p{L}+|Izb[ay]\s+\p{L}+|Komitet\p{L}*|Ochotnicz\p{L}+\s+Straż\p{L}*\s+Pożarn\p{L}+|Koł[oa]\s+Gospodyń\s+Wiejskich|Rad[ay]\s+Rodziców|Rad[ay]\s+Osiedla)|\bsp\.\s*z\s*o\.\s*o\.|\bS\.\s*A\.|\bsp\.\s*k\.)/u;
const TITLE = String.raw`(?:[Pp]rezes\p{L}*|[Pp]rzewodnicząc\p{L}+|[Pp]ełnomocnik\p{L}*|[Cc]złonk\p{L}+|[Cc]złonek|[Dd]yrektor\p{L}*|[Ss]karbnik\p{L}*|[Ss]ekretarz\p{L}*)(?:\s+[Zz]arządu)?`;
const REPRESENTATIVE = new RegExp(
  String.raw`(?:(?:reprezentowan\p{L}+\s+przez|w\s+imieniu\s+[^\n]{0,80}?|osob\p{L}+\s+reprezentując\p{L}+)(?:\s+${TITLE})?|${TITLE})[:,\s–-]+(${NAME_WORD}\s+${NAME_WORD})`,
  'u',
);
const SIGN_OFF = /(?:z\s+poważaniem|z\s+wyrazami\s+szacunku|łączę\s+wyrazy\s+szacunku|pozdrawiam|z\s+pozdrowieniami|podpis\p{L}*|wnosząc\p{L}+\s+petycję|podmiot\s+wnoszący(?:\s+petycję)?|imię\s+i\s+nazwisko|niżej\s+podpisan\p{L}+)\s*[:,]?/giu;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const NO_CONSENT = /\bnie\s+(?:wyrażam\p{L}*|udzielam\p{L}*)\s+zgody\s+na\s+(?:ujawnienie|publikacj\p{L}+|opublikowanie|zamieszczenie|udostępnienie)[^\n.]*/iu;
const CONSENT = /\b(?:wyrażam\p{L}*|udzielam\p{L}*)\s+zgod\p{L}+\s+na\s+(?:ujawnienie|publikacj\p{L}+|opublikowanie|zamieszczenie|udostępnienie)[^\n.]*|\bzgod\p{L}+\s+na\s+(?:ujawnienie|publikacj\p{L}+|opublikowanie)\s+(?:moich|naszych|danych)[^\n.]*/iu;

function findAddressee(text: string): Evidence[] {
  const m = ADDRESSEE.exec(text);
  ADDRESSEE.lastIndex = 0;
  if (!m) return [];
  const lead = m[0].length - m[0].replace(/^\n?[ \t]*/, '').length;
  const start = m.index + lead;
  return [ev(text, start, m.index + m[0].trimEnd().length)];
}

/** The addressee's block (its line and the two after it) holds the office's own address: not the submitter's. */
function addresseeBlock(text: string, addressee: Evidence[]): [number, number] | null {
  const a = addressee[0];
  if (!a) return null;
  const ls = lines(text);
  const i = ls.findIndex((l) => l.end >= a.start);
  const last = ls[Math.min(ls.length - 1, i + 2)]!;
  return [a.start, last.end];
}

function findSubmitter(text: string, senderName: string | null): { found: boolean; evidence: Evidence[]; source: FormalElement['source']; value?: string; legal: boolean; representative: boolean } {
  const evidence: Evidence[] = [];
  const legal = LEGAL.exec(text);
  if (legal) evidence.push(ev(text, legal.index, legal.index + legal[0].length));
  const rep = REPRESENTATIVE.exec(text);
  if (rep) {
    const at = rep.index + rep[0].length - rep[1]!.length;
    evidence.push(ev(text, at, at + rep[1]!.length));
  }
  // a name in the sign-off block: the first person-like line after "Z poważaniem", "Imię i nazwisko:" …
  let person: Evidence | null = null;
  for (const m of text.matchAll(SIGN_OFF)) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 160);
    const p = PERSON.exec(after);
    if (p && !/\n\s*\n\s*\S[^\n]*\n/.test(after.slice(0, p.index))) {
      const at = m.index + m[0].length + p.index;
      person = ev(text, at, at + p[0].length);
    }
  }
  if (person && !evidence.some((e) => e.start === person!.start)) evidence.push(person);
  const isLegal = legal !== null && (rep !== null || /\b(?:w\s+imieniu|reprezentowan)/iu.test(text));
  if (person || rep) return { found: true, evidence, source: 'text', legal: isLegal, representative: rep !== null };
  if (senderName && PERSON.test(senderName)) return { found: true, evidence, source: 'fields', value: senderName, legal: legal !== null, representative: false };
  return { found: false, evidence, source: null, legal: legal !== null, representative: false };
}

export interface FormalInput {
  text: string;
  subject?: string | null;
  sender?: { name?: string | null; email?: string | null } | null;
}

export function checkFormal({ text, subject, sender }: FormalInput): FormalCheck {
  const addressee = findAddressee(text);
  const block = addresseeBlock(text, addressee);
  const outside = (e: Evidence) => !block || e.end <= block[0] || e.start >= block[1];
  const addressSpans = [...text.matchAll(POSTAL), ...text.matchAll(STREET), ...text.matchAll(VILLAGE)]
    .map((m) => ev(text, m.index, m.index + m[0].trimEnd().length))
    .filter(outside)
    .sort((a, b) => a.start - b.start)
    .filter((e, i, all) => i === 0 || e.start >= all[i - 1]!.end);
  const submitter = findSubmitter(text, sender?.name ?? null);
  const subjectMatch = SUBJECT.exec(text);
  // "Przedmiot petycji:" alone on its line: the subject is the next line
  const subjectSpan = subjectMatch && /:\s*$/.test(subjectMatch[0]) ? (/^[^\n]*:\s*\n\s*[^\n]+/.exec(text.slice(subjectMatch.index)) ?? subjectMatch) : subjectMatch;
  if (subjectSpan && subjectSpan !== subjectMatch) subjectSpan.index = subjectMatch!.index;
  const emails = [...text.matchAll(EMAIL)].map((m) => ev(text, m.index, m.index + m[0].length)).filter(outside);
  const refused = NO_CONSENT.exec(text);
  const consent = refused ? null : CONSENT.exec(text);
  const electronic = Boolean(sender?.email);

  const elements: Record<FormalKey, FormalElement> = {
    submitter: {
      found: submitter.found && (!submitter.legal || submitter.representative),
      source: submitter.source,
      evidence: submitter.evidence,
      ...(submitter.value ? { value: submitter.value } : {}),
      note: submitter.legal
        ? submitter.representative
          ? 'Podmiot niebędący osobą fizyczną i osoba go reprezentująca (art. 4 ust. 2 pkt 1).'
          : 'Nazwa podmiotu jest, brak osoby reprezentującej (art. 4 ust. 2 pkt 1).'
        : submitter.found
          ? submitter.source === 'fields'
            ? 'Imię i nazwisko tylko z danych nadawcy, nie z treści (art. 4 ust. 2 pkt 1).'
            : 'Imię i nazwisko podmiotu wnoszącego petycję (art. 4 ust. 2 pkt 1).'
          : 'Brak oznaczenia podmiotu wnoszącego petycję (art. 4 ust. 2 pkt 1).',
    },
    address: {
      found: addressSpans.length > 0,
      source: addressSpans.length ? 'text' : null,
      evidence: addressSpans.slice(0, 4),
      note: addressSpans.length
        ? 'Miejsce zamieszkania albo siedziba i adres do korespondencji (art. 4 ust. 2 pkt 2).'
        : 'Brak miejsca zamieszkania albo siedziby i adresu do korespondencji (art. 4 ust. 2 pkt 2).',
    },
    addressee: {
      found: addressee.length > 0,
      source: addressee.length ? 'text' : null,
      evidence: addressee,
      note: addressee.length ? 'Oznaczenie adresata petycji (art. 4 ust. 2 pkt 3).' : 'Brak oznaczenia adresata petycji (art. 4 ust. 2 pkt 3).',
    },
    subject: subjectSpan
      ? { found: true, source: 'text', evidence: [ev(text, subjectSpan.index, subjectSpan.index + subjectSpan[0].trimEnd().length)], note: 'Wskazanie przedmiotu petycji (art. 4 ust. 2 pkt 4).' }
      : subject?.trim()
        ? { found: true, source: 'fields', evidence: [], value: subject.trim(), note: 'Przedmiot tylko z tematu wiadomości (art. 4 ust. 2 pkt 4) — sprawdź treść.' }
        : { found: false, source: null, evidence: [], note: 'Brak wskazania przedmiotu petycji (art. 4 ust. 2 pkt 4).' },
    email: sender?.email
      ? { found: true, source: 'fields', evidence: emails.slice(0, 1), value: sender.email, note: 'Adres poczty elektronicznej wnoszącego (art. 4 ust. 5).' }
      : emails.length
        ? { found: true, source: 'text', evidence: emails.slice(0, 2), note: 'Adres poczty elektronicznej wnoszącego (art. 4 ust. 5).' }
        : { found: false, source: null, evidence: [], note: 'Brak adresu e-mail — wymagany, gdy petycję złożono elektronicznie (art. 4 ust. 5).' },
    consent_to_publish: consent
      ? { found: true, source: 'text', evidence: [ev(text, consent.index, consent.index + consent[0].length)], note: 'Zgoda na ujawnienie danych osobowych na stronie internetowej (art. 4 ust. 3).' }
      : {
          found: false,
          source: refused ? 'text' : null,
          evidence: refused ? [ev(text, refused.index, refused.index + refused[0].length)] : [],
          note: refused
            ? 'Wnoszący nie zgodził się na ujawnienie danych: publikować bez imienia i nazwiska (art. 8 ust. 1).'
            : 'Brak zgody na ujawnienie danych (art. 4 ust. 3): publikować bez imienia i nazwiska (art. 8 ust. 1).',
        },
  };

  const { step, step_description } = suggestStep(elements, electronic);
  return { elements, step, step_description, electronic, legal_person: submitter.legal };
}

function suggestStep(e: Record<FormalKey, FormalElement>, electronic: boolean): { step: Step; step_description: string } {
  if (!e.submitter.found || !e.address.found) {
    const missing = [!e.submitter.found && 'oznaczenia wnoszącego (pkt 1)', !e.address.found && 'miejsca zamieszkania/siedziby i adresu (pkt 2)'].filter(Boolean).join(' i ');
    return {
      step: 'leave_unconsidered',
      step_description: `Brak ${missing} z art. 4 ust. 2: petycję pozostawia się bez rozpatrzenia (art. 7 ust. 1). Sprawdź najpierw kopertę, formularz lub załączniki.`,
    };
  }
  if (!e.addressee.found || !e.subject.found) {
    const missing = [!e.addressee.found && 'adresata (pkt 3)', !e.subject.found && 'przedmiotu (pkt 4)'].filter(Boolean).join(' i ');
    return {
      step: 'call_to_complete',
      step_description: `Brak ${missing} z art. 4 ust. 2: w ciągu 30 dni od złożenia wezwij do uzupełnienia lub wyjaśnienia w terminie 14 dni, z pouczeniem (art. 7 ust. 2); w petycji wielokrotnej wezwanie ogłasza się na stronie internetowej (art. 11 ust. 3).`,
    };
  }
  return {
    step: 'consider',
    step_description: `Wymogi art. 4 ust. 2 spełnione${electronic && !e.email.found ? ' (brak adresu e-mail z art. 4 ust. 5)' : ''}: rozpatrzyć bez zbędnej zwłoki, najpóźniej w 3 miesiące (art. 10 ust. 1).`,
  };
}
