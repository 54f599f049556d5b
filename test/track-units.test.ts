import { describe, expect, it } from 'vitest';
import { addMonths, answerDeadline, daysBetween, deadlineOf, isOverdue, jointDeadline, latestWaitingEnd, warsawDate, withinJoiningMonth } from '../src/track/deadlines.js';
import { checkFormal, formalFlags } from '../src/track/formal.js';

describe('deadline arithmetic (art. 10, art. 11 ust. 2)', () => {
  it('ends a month period on the corresponding day, or on the last day of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29'); // leap year
    expect(addMonths('2100-01-31', 1)).toBe('2100-02-28'); // not a leap year (divisible by 100)
    expect(addMonths('2000-01-31', 1)).toBe('2000-02-29'); // leap (divisible by 400)
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', 3)).toBe('2026-06-30');
    expect(addMonths('2026-10-15', 3)).toBe('2027-01-15'); // across the year
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonths('2026-05-31', -3)).toBe('2026-02-28');
  });

  it('counts from the day of receipt in Poland, not in UTC', () => {
    // 23:30 UTC on 31 March is already 1 April in Warsaw (summer time)
    expect(warsawDate('2026-03-31T22:30:00Z')).toBe('2026-04-01');
    expect(answerDeadline('2026-03-31T22:30:00Z', '2026-04-02T08:00:00Z')).toBe('2026-07-01');
    // 23:30 UTC on 30 November is 1 December in Warsaw (winter time, +1)
    expect(answerDeadline('2026-11-30T23:30:00Z', '2026-12-01T08:00:00Z')).toBe('2027-03-01');
    expect(answerDeadline('2026-11-30T12:00:00+01:00', '2026-12-01T08:00:00Z')).toBe('2027-02-28');
    expect(answerDeadline(null, '2026-01-31T09:00:00Z')).toBe('2026-04-30');
    expect(answerDeadline('2026-05-31', '2026-06-01T08:00:00Z')).toBe('2026-08-31');
  });

  it('runs a petycja wielokrotna from the end of its waiting period, at most 2 months after the announcement', () => {
    expect(latestWaitingEnd('2025-12-31')).toBe('2026-02-28');
    expect(latestWaitingEnd('2027-12-31')).toBe('2028-02-29');
    expect(jointDeadline('2028-02-29')).toBe('2028-05-29');
    expect(deadlineOf({ received_at: '2026-01-05', stored_at: '2026-01-05T10:00:00Z' }, { waiting_end: '2026-03-31' })).toEqual({ date: '2026-06-30', basis: 'joint', from: '2026-03-31' });
    expect(deadlineOf({ received_at: null, stored_at: '2026-01-05T10:00:00Z' })).toEqual({ date: '2026-04-05', basis: 'stored', from: '2026-01-05' });
  });

  it('joins later petitions only within a month of the first, and marks overdue ones', () => {
    expect(withinJoiningMonth('2026-01-31', '2026-02-28')).toBe(true);
    expect(withinJoiningMonth('2026-01-31', '2026-03-01')).toBe(false);
    expect(withinJoiningMonth('2026-01-31', '2026-01-30')).toBe(false);
    expect(isOverdue('2026-04-30', '2026-04-30')).toBe(false); // the last day itself is still in time
    expect(isOverdue('2026-04-30', '2026-05-01')).toBe(true);
    expect(isOverdue('2026-04-30', '2026-05-01', true)).toBe(false);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
  });
});

const COMPLETE = `Burmistrz Miasta Brzeziny
ul. Sienkiewicza 16
95-060 Brzeziny

Petycja w sprawie wydłużenia godzin otwarcia biblioteki miejskiej w soboty

Na podstawie ustawy o petycjach wnoszę o wydłużenie godzin pracy Miejskiej Biblioteki Publicznej
w soboty do godziny 18:00. Uczniowie i osoby pracujące nie mają dziś możliwości korzystania z czytelni.

Wyrażam zgodę na ujawnienie moich danych osobowych na stronie internetowej urzędu.

Z poważaniem
Małgorzata Zielińska-Wrona
ul. Kościuszki 12/4
95-060 Brzeziny
`;

describe('formal completeness (art. 4 ust. 2–5, art. 7)', () => {
  it('finds every element with evidence spans into the text, outside the addressee’s own address', () => {
    const c = checkFormal({ text: COMPLETE, sender: { email: 'm.zielinska@example.pl' } });
    expect(formalFlags(c)).toEqual({ submitter: true, address: true, addressee: true, subject: true, consent_to_publish: true });
    for (const e of Object.values(c.elements)) for (const s of e.evidence) expect(COMPLETE.slice(s.start, s.end)).toBe(s.text);
    expect(c.elements.submitter.evidence.map((e) => e.text)).toContain('Małgorzata Zielińska-Wrona');
    expect(c.elements.addressee.evidence[0]!.text).toBe('Burmistrz Miasta Brzeziny');
    expect(c.elements.address.evidence.map((e) => e.text)).toEqual(['ul. Kościuszki 12/4', '95-060 Brzeziny']);
    expect(c.elements.subject.evidence[0]!.text).toMatch(/^Petycja w sprawie wydłużenia godzin/);
    expect(c.step).toBe('consider');
  });

  it('leaves a petition without the submitter’s address unconsidered (art. 7 ust. 1)', () => {
    const text = `Szanowny Panie Wójcie,\nzwracam się z prośbą o ustawienie progu zwalniającego przy szkole w Lipiu.\n\nZ poważaniem\nTadeusz Nowicki`;
    const c = checkFormal({ text });
    expect(formalFlags(c)).toMatchObject({ submitter: true, address: false, addressee: true, subject: true, consent_to_publish: false });
    expect(c.step).toBe('leave_unconsidered');
    expect(c.step_description).toMatch(/art\. 7 ust\. 1/);
  });

  it('calls to complete when the addressee is missing (art. 7 ust. 2), and a legal person needs its representative', () => {
    const text = `Stowarzyszenie Przyjaciół Doliny Bugu z siedzibą w Drohiczynie, ul. Kościelna 3, 17-312 Drohiczyn,\nreprezentowane przez Prezesa Zarządu Annę Kwiatkowską,\nwnosi o utworzenie ścieżki rowerowej wzdłuż nabrzeża.\n\nNie wyrażamy zgody na ujawnienie danych osobowych na stronie internetowej.`;
    const c = checkFormal({ text });
    expect(c.legal_person).toBe(true);
    expect(c.elements.submitter.found).toBe(true);
    expect(c.elements.submitter.evidence.map((e) => e.text)).toContain('Annę Kwiatkowską');
    expect(c.elements.addressee.found).toBe(false);
    expect(c.elements.consent_to_publish.found).toBe(false);
    expect(c.elements.consent_to_publish.evidence[0]!.text).toMatch(/^Nie wyrażamy zgody/);
    expect(c.step).toBe('call_to_complete');
    expect(c.step_description).toMatch(/14 dni/);
    const unsigned = checkFormal({ text: text.replace(/reprezentowane przez Prezesa Zarządu Annę Kwiatkowską,\n/, '') });
    expect(unsigned.elements.submitter.found).toBe(false);
    expect(unsigned.step).toBe('leave_unconsidered');
  });

  it('does not take prose or greetings for a submitter, and reads a subject given on the line after its label', () => {
    const text = `Burmistrz Gminy Żarów\n\nPrzedmiot petycji:\nremont świetlicy w Mrowinach\n\nW związku z planowanym budżetem Szanowna Rado prosimy o środki.\nZ poważaniem\nUrszula Wójcik-Bielawska\nMrowiny, ul. Główna 7, 58-130 Żarów\nWójt Gminy`;
    const c = checkFormal({ text });
    expect(c.legal_person).toBe(false);
    expect(c.elements.submitter.evidence.map((e) => e.text)).toEqual(['Urszula Wójcik-Bielawska']);
    expect(c.elements.subject.evidence[0]!.text).toBe('Przedmiot petycji:\nremont świetlicy w Mrowinach');
    expect(c.elements.address.evidence.map((e) => e.text)).toEqual(['ul. Główna 7', '58-130 Żarów']); // not "Żarów\nWójt"
  });

  it('takes the name and subject from the sender fields when the text has none, saying so', () => {
    const c = checkFormal({ text: 'Proszę o naprawę lampy przy przystanku. Zam. Lipie 14, 26-200 Końskie', subject: 'Lampa', sender: { name: 'Jan Maj', email: 'jan.maj@example.pl' } });
    expect(c.elements.submitter).toMatchObject({ found: true, source: 'fields', value: 'Jan Maj' });
    expect(c.elements.email).toMatchObject({ found: true, source: 'fields' });
    expect(c.electronic).toBe(true);
    expect(c.elements.address.found).toBe(true);
  });
});

describe('campaign names (TF-IDF, Polish stop words)', () => {
  it('picks the words that set a campaign apart from the office’s other petitions', async () => {
    const { characteristicWords, corpusOf, tokens } = await import('../src/track/campaign-names.js');
    const { BENCH_PETITION, LIBRARY_PETITION, swimmingCopy } = await import('./helpers/track-texts.js');
    expect(tokens('Wnoszę o to, aby przy Szkole w Gminie było więcej ławek.')).toEqual(['szkole', 'ławek']);
    const words = characteristicWords(swimmingCopy(0), corpusOf([LIBRARY_PETITION, BENCH_PETITION, COMPLETE]));
    expect(words).toHaveLength(3);
    expect(words.join(' ')).toMatch(/pływ/);
    for (const w of words) expect(['petycja', 'sprawie', 'wnoszę', 'poważaniem', 'gminy']).not.toContain(w);
  });
});

describe('petycja wielokrotna, announcements, register (pure)', async () => {
  const { planJoint, propose } = await import('../src/track/joint-consideration.js');
  const { renderTemplate, DEFAULT_TEMPLATES, completionDue } = await import('../src/track/announcements.js');
  const { registerEntries, yearSummary } = await import('../src/track/register.js');
  const { swimmingCopy } = await import('./helpers/track-texts.js');

  it('refuses a waiting period longer than 2 months, and proposes members by date and similarity', () => {
    expect(planJoint('2025-12-31', '2026-02-28')).toEqual({ announced_on: '2025-12-31', waiting_end: '2026-02-28', deadline: '2026-05-28' });
    expect(planJoint('2025-12-31', '2026-03-01')).toMatchObject({ field: 'koniec_oczekiwania' });
    expect(planJoint('2026-01-10', '2026-01-09')).toMatchObject({ field: 'koniec_oczekiwania' });
    expect(planJoint('10.01.2026', '2026-02-09')).toMatchObject({ field: 'data_ogloszenia' });
    expect(propose({ id: 'a', received: '2026-01-31', similarity: 0.97 }, '2026-01-05', '2026-01-20').proposal).toBe('member'); // within the month
    expect(propose({ id: 'b', received: '2026-03-10', similarity: 0.97 }, '2026-01-05', '2026-03-15').proposal).toBe('member'); // within the waiting period
    expect(propose({ id: 'c', received: '2026-03-16', similarity: 0.97 }, '2026-01-05', '2026-03-15').proposal).toBe('late');
    expect(propose({ id: 'd', received: '2026-01-20', similarity: 0.55 }, '2026-01-05', '2026-03-15').proposal).toBe('borderline');
  });

  it('keeps a register cell that looks like a spreadsheet formula as text', async () => {
    const { registerCsv } = await import('../src/track/register-export.js');
    const csv = registerCsv([{ number: 'X-1', received: '2026-01-02', subject: '=HYPERLINK("http://example.invalid","kliknij")', submitter: null, status: 'Wpłynęła', status_date: null, deadline: '2026-04-02', joint: null, outcome: '-5 zł' }]);
    expect(csv).toContain(`"'=HYPERLINK(""http://example.invalid"",""kliknij"")"`);
    expect(csv).toContain("'-5 zł");
  });

  it('fills the templates and leaves an unknown placeholder visible', () => {
    const text = renderTemplate(DEFAULT_TEMPLATES.laczne, { organ: 'Wójt Gminy Lipie', przedmiot: 'oświetlenia drogi', koniec_oczekiwania: '28 lutego 2026' });
    expect(text).toContain('Wójt Gminy Lipie ogłasza, że w dniu {{data_zarzadzenia}} r. zarządzono');
    expect(text).toContain('do dnia 28 lutego 2026 r.');
    expect(completionDue('2026-02-20')).toBe('2026-03-06');
  });

  it('publishes a name only with consent, and counts a petycja wielokrotna once in the yearly summary', () => {
    const row = (id: string, text: string, received_at: string) => ({ id, received_at, stored_at: received_at, subject: null, sender_name: 'Jan Nowak', sender_email: null, text, level: 'low' as const, track: 'standard' as const, campaign_id: 'k' });
    const rows = [row('A', swimmingCopy(0, { consent: true }), '2026-02-01'), row('B', swimmingCopy(1), '2026-02-02'), row('C', swimmingCopy(2), '2026-03-01')];
    const joint = { seq: 1, campaign_id: 'k', subject: 'nauki pływania', ordered_by: 'ola', ordered_at: '2026-02-05T10:00:00Z', announced_on: '2026-02-05', waiting_end: '2026-03-05', deadline: '2026-06-05', outcome: 'uchwała podjęta', outcome_by: 'ola', outcome_at: '2026-05-20T10:00:00Z' };
    const joints = new Map([['A', joint], ['B', joint]]);
    const statuses = new Map([['C', { petition_id: 'C', status: 'bez_rozpatrzenia', note: null, login: 'ola', at: '2027-01-02T10:00:00Z' }]]);
    const entries = registerEntries(rows, statuses, joints);
    expect(entries.map((e) => e.submitter)).toEqual(['Katarzyna Wójcik', null, null]);
    expect(entries[0]!.deadline).toBe('2026-06-05');
    expect(entries[2]!.deadline).toBe('2026-06-01');
    const s2026 = yearSummary(2026, rows, statuses, joints);
    expect(s2026).toMatchObject({ dealt_with: 1, received: 3, open: 1 });
    expect(s2026.subjects[0]).toMatchObject({ petitions: 2, joint: true });
    expect(yearSummary(2027, rows, statuses, joints)).toMatchObject({ dealt_with: 1, received: 0 });
  });
});
