import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { loadRules, parseRules } from '../src/signals/rules/load-rules.js';
import { matchRules } from '../src/signals/rules/match-rules.js';
import { loadOfficeProfile, localityStem } from '../src/signals/rules/office-profile.js';
import { freePort } from '../scripts/lib/serve.js';
import { serveProcess, sitoSync, tempDir } from './helpers/sito-process.js';

const ids = (rules: ReturnType<typeof loadRules>, text: string) => matchRules(rules, normalise(text)).map((h) => h.id);
const hit = (rules: ReturnType<typeof loadRules>, text: string, id: string) => matchRules(rules, normalise(text)).find((h) => h.id === id);

// Texts written for these tests: a stance mailed to every council, and residents about their street.
const STANCE = `Rada Gminy ………………

Zwracam się z petycją do tutejszej Rady, aby wyraziła stanowisko wobec planów rządu dotyczących
sprzedaży ziemi rolnej. Decyzje zapadają w Warszawie, a Sejm nie pyta Polaków o zdanie. Wnoszę o
przyjęcie uchwały o poniższej treści.

UCHWAŁA NR …/…/2024
§ 1. Rada wyraża sprzeciw wobec sprzedaży ziemi rolnej podmiotom zagranicznym.
§ 2. Wykonanie uchwały powierza się Wójtowi.
§ 3. Uchwała wchodzi w życie z dniem podjęcia.

Jan Kowalski, 00-950 Warszawa`;

const RESIDENTS = `Wójt Gminy Brzozówka

My, mieszkańcy ul. Polnej w Dębowej Woli, prosimy o naprawę przepustu pod drogą gminną przy
posesji nr 14. Po każdej ulewie woda zalewa nasze piwnice, a rów od strony Kolonii Zagórze jest
zarośnięty. Sprawę zgłaszaliśmy sołtysowi w marcu.

Anna Nowak, Dębowa Wola 14, 38-543 Brzozówka`;

describe('form traits of a text written for many offices', () => {
  const rules = loadRules();

  it('recognise a stance mailed to every council by its form, with evidence', () => {
    const found = ids(rules, STANCE);
    for (const id of ['slot_addressee', 'ready_made_resolution', 'council_stance_request', 'national_scope', 'no_local_specifics']) expect(found).toContain(id);
    const r = hit(rules, STANCE, 'ready_made_resolution')!;
    expect(r.evidence.map((e) => e.text)).toContain('Wykonanie uchwały powierza się');
    for (const e of r.evidence) expect(STANCE.slice(e.start, e.end)).toBe(e.text);
    // an absence has nothing to point at
    expect(hit(rules, STANCE, 'no_local_specifics')!.evidence).toEqual([]);
  });

  it('leave a residents’ petition about their street without those traits', () => {
    const found = ids(rules, RESIDENTS);
    for (const id of ['slot_addressee', 'ready_made_resolution', 'council_stance_request', 'national_scope', 'no_local_specifics']) expect(found).not.toContain(id);
    expect(found).toContain('resident_voice');
  });

  it('a placeholder where the office’s name belongs is a template trait', () => {
    expect(ids(rules, 'Szanowni Państwo,\nprosimy Radę Gminy [nazwa gminy] o przyjęcie apelu w sprawie, która dotyczy całego kraju.')).toContain('template_placeholders');
  });

  it('an absence rule needs a text long enough to have said something local', () => {
    expect(ids(rules, 'Prosimy o naprawę.')).not.toContain('no_local_specifics');
  });
});

describe('known-vendor domains', () => {
  const rules = loadRules();
  it('match the vendor’s own host, www and mailboxes, never a subdomain an office uses', () => {
    expect(ids(rules, 'Informacje: https://www.gmina.pl/oferta')).toContain('vendor_domain');
    expect(ids(rules, 'Kontakt: biuro@gmina.pl')).toContain('vendor_domain');
    expect(ids(rules, 'Odpowiedź prosimy przesłać do urzędu: ug@zagan.gmina.pl')).not.toContain('vendor_domain');
    expect(ids(rules, 'Strona gminy: https://zagan.gmina.pl/aktualnosci')).not.toContain('vendor_domain');
  });
});

describe('office profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sito-profile-'));
  const path = join(dir, 'profile.yaml');
  writeFileSync(path, 'name: Gmina Brzozówka\nlocalities: [Dębowa Wola, Zagórze, Kolonia Zagórze]\npostal_codes: ["38-54"]\n');
  const profile = loadOfficeProfile(path);
  const withProfile = loadRules(undefined, profile);
  const without = loadRules();

  it('rules that need the profile never fire without one, and keep their place among the model’s features', () => {
    expect(without.rules.map((r) => r.id)).toEqual(withProfile.rules.map((r) => r.id));
    expect(without.fingerprint).toBe(withProfile.fingerprint);
    for (const id of ['office_locality_named', 'office_postal_code', 'foreign_postal_code']) expect(ids(without, RESIDENTS)).not.toContain(id);
  });

  it('a locality of this office named in the body, and its postal code, speak for a local petition', () => {
    const found = ids(withProfile, RESIDENTS);
    expect(found).toContain('office_locality_named');
    expect(found).toContain('office_postal_code');
    expect(found).not.toContain('foreign_postal_code');
    const ev = hit(withProfile, RESIDENTS, 'office_locality_named')!.evidence.map((e) => e.text);
    expect(ev).toContain('Dębowej Woli'); // the stems match the inflected form
    expect(ev).toContain('Kolonii Zagórze');
  });

  it('a postal code from elsewhere says the sender is far away', () => {
    const found = ids(withProfile, STANCE);
    expect(found).toContain('foreign_postal_code');
    expect(found).not.toContain('office_locality_named');
  });

  it('names in the addressee block do not count as the body naming a locality', () => {
    expect(ids(withProfile, 'Sołectwo Zagórze, Rada Gminy\n\nProsimy o przyjęcie stanowiska w sprawie ustawy.')).not.toContain('office_locality_named');
  });

  it('stems survive inflection, and a bad profile is refused naming the field', () => {
    expect(localityStem('Brzozówka')).toBe('brzozow*');
    expect(localityStem('Dębowa Wola')).toBe('debo* wol*');
    writeFileSync(path, 'name: Gmina X\npostal_codes: ["385-43"]\n');
    expect(() => loadOfficeProfile(path)).toThrow(/postal_codes\.0/);
  });

  it('a rules file is refused when an absence rule counts hits, or when not_preceded_by is not RE2', () => {
    const head = 'version: 1\nbias: -3\nrules:\n  - id: x\n    trait: mass_mailing\n    weight: 1\n    description: opis reguły\n';
    expect(() => parseRules(`${head}    absent: true\n    min_hits: 2\n    patterns: [a]\n`)).toThrow(/absence rule/);
    expect(() => parseRules(`${head}    not_preceded_by: '(?<=a)'\n    patterns: [a]\n`)).toThrow(/rule x not_preceded_by/);
  });
});

describe('the service with an office profile', () => {
  it('names the profile in /health and scores with the profile’s rules; a bad profile stops start-up naming the field', async () => {
    const dir = tempDir();
    const profile = join(dir, 'office.yaml');
    writeFileSync(profile, 'name: Gmina Brzozówka\nlocalities: [Dębowa Wola]\npostal_codes: ["38-54"]\n');
    const s = await serveProcess({ SITO_DATA_DIR: dir, SITO_OFFICE_PROFILE: profile }, await freePort());
    try {
      const health = (await (await fetch(`${s.url}/health`)).json()) as { rules: { office_profile: string | null } };
      expect(health.rules.office_profile).toBe('Gmina Brzozówka');
      const r = (await (await fetch(`${s.url}/v1/petitions/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: RESIDENTS, store: false }) })).json()) as { reasons: Array<{ id: string; contribution: number }> };
      expect(r.reasons.find((x) => x.id === 'office_locality_named')?.contribution).toBeLessThan(0);
    } finally {
      await s.stop();
    }
    writeFileSync(profile, 'name: Gmina Brzozówka\nlocalities: oops\n');
    const bad = sitoSync(['score', '--no-store'], { input: '{"text":"x"}\n', env: { SITO_DATA_DIR: dir, SITO_OFFICE_PROFILE: profile } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/office profile .*localities/);
  });
});
