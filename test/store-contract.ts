/**
 * The office store's contract: what every backend (SQLite, PostgreSQL) must do alike. A backend's
 * test file calls `storeContract` with a factory that opens a fresh, empty, migrated store (and a
 * way to drop it); each test gets its own. Only the `Store` interface is used here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScoreResult } from '../src/decision/result.js';
import { Engine, PetitionConflictError } from '../src/engine.js';
import { normalise } from '../src/normalise/normalise.js';
import { bandKeys, fingerprint } from '../src/signals/fingerprint/minhash.js';
import { loadRules } from '../src/signals/rules/load-rules.js';
import type { NewKnownCampaign, NewPetition, Store } from '../src/storage/store.js';
import { deadlineOf, isOverdue } from '../src/track/deadlines.js';
import { listByDeadline, type DeadlineQuery } from '../src/track/petition-track.js';
import { CLOSED } from '../src/track/status.js';
import { startFigures } from '../src/web/pages/start.js';
import { weeklyByLevel } from '../src/track/dashboard.js';
import { thresholds } from './helpers/engine.js';

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** A petition about one matter in one town: different towns and matters share few word pairs. */
const TEMPLATE = (town: string, n: number) =>
  `Szanowni Państwo, działając na podstawie art. 2 ust. 1 ustawy z dnia 11 lipca 2014 r. o petycjach, ` +
  `wnosimy o przeprowadzenie w gminie ${town} audytu oświetlenia ulicznego oraz o wymianę opraw na energooszczędne ` +
  `oprawy LED wraz z systemem zdalnego sterowania. Modernizacja pozwala obniżyć koszty energii o ponad ${n} procent ` +
  `i poprawia bezpieczeństwo pieszych na przejściach. Prosimy o rozpatrzenie petycji w ustawowym terminie oraz ` +
  `o opublikowanie jej na stronie internetowej urzędu. Z wyrazami szacunku, zespół doradców samorządowych.`;

const LOCAL = [
  'Mieszkańcy ulicy Polnej w Łodzi proszą o naprawę chodnika przed szkołą podstawową, bo dzieci potykają się o wystające płyty.',
  'Prośba o postawienie ławek i kosza na śmieci przy placu zabaw na osiedlu Zielone Wzgórze; rodzice z małymi dziećmi nie mają gdzie usiąść.',
  'Żądamy remontu drogi powiatowej do Kowalewa; po zimie dziury są tak głębokie, że autobus szkolny omija je poboczem.',
  'Wnoszę o zmianę rozkładu jazdy linii 7 tak, aby pierwszy kurs docierał do dworca przed pociągiem do Poznania o 6.10.',
];

function result(id: string, over: Partial<ScoreResult> = {}): ScoreResult {
  return {
    id,
    score: 0.2,
    level: 'low',
    track: 'standard',
    traits: { mass_mailing: 0.1, vendor_promotion: 0.1 },
    reasons: [{ signal: 'rule', id: 'r1', description: 'opis', trait: 'mass_mailing', contribution: 0.5, evidence: [{ start: 0, end: 9, text: 'Szanowni ' }] }],
    campaign: null,
    model: { version: 'rules-test', embedding: null },
    ...over,
  };
}

let clock = Date.parse('2026-03-01T08:00:00Z');
/** Stored-at instants increase with every petition made, as they do when petitions are stored. */
const nextStoredAt = () => new Date((clock += 60_000)).toISOString();

function petition(id: string, text: string, over: Partial<NewPetition> = {}, res: Partial<ScoreResult> = {}): NewPetition {
  return {
    id,
    receivedAt: null,
    storedAt: nextStoredAt(),
    subject: null,
    senderName: null,
    senderEmail: null,
    text,
    result: result(id, res),
    fingerprint: fingerprint(normalise(text).folded),
    ...over,
  };
}

const keysOf = (p: NewPetition) => bandKeys(p.fingerprint.signature);
const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);
const all = { limit: 100, offset: 0 };

export function storeContract(backend: string, open: StoreFactory) {
  describe(`office store contract: ${backend}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    /** Inserts petitions in order (as the engine would: one write transaction each). */
    const put = async (...ps: Array<[NewPetition, string | null, boolean?]>) => {
      for (const [p, campaign, index] of ps) await store.writeTransaction((tx) => tx.insertPetition(p, campaign, index === false ? null : keysOf(p)));
    };

    describe('petitions', () => {
      it('the longest gap between receipt and storing, in days, from an index; null when a date of receipt does not read', async () => {
        expect(await store.track.receiptLag()).toBe(0);
        await put([petition('g1', `${LOCAL[0]!} 1`, { receivedAt: '2025-11-20', storedAt: '2025-12-15T08:00:00.000Z' }), null]);
        await put([petition('g2', `${LOCAL[1]!} 2`, { receivedAt: '2025-12-31T23:30:00+01:00', storedAt: '2026-01-02T00:10:00.000Z' }), null]);
        expect(await store.track.receiptLag()).toBe(25);
        // received after it was stored, or not at all: no gap
        await put([petition('g3', `${LOCAL[2]!} 3`, { receivedAt: '2026-03-01', storedAt: '2026-01-01T08:00:00.000Z' }), null], [petition('g4', `${LOCAL[3]!} 4`), null]);
        await put([petition('g5', `${LOCAL[4]!} 5`, { receivedAt: '2024-01-10T10:00:00Z', storedAt: '2025-01-10T09:00:00.000Z' }), null]);
        expect(await store.track.receiptLag()).toBe(366);
        await put([petition('g6', `${LOCAL[0]!} 6`, { receivedAt: 'wczoraj', storedAt: '2025-01-10T09:00:00.000Z' }), null]);
        expect(await store.track.receiptLag()).toBeNull();
      });

      it('keeps every field of a petition and its verdict, and says whether an id is stored', async () => {
        const p = petition('p-1', LOCAL[0]!, { receivedAt: '2026-02-27T10:00:00+01:00', subject: 'Chodnik', senderName: 'Anna Nowak', senderEmail: 'anna@example.pl' }, { score: 0.91, level: 'high', track: 'petycje_masowe' });
        await put([p, null]);
        expect(await store.hasPetition('p-1')).toBe(true);
        expect(await store.hasPetition('p-2')).toBe(false);
        expect(await store.getPetition('p-2')).toBeNull();
        expect(await store.getPetition('p-1')).toEqual({
          id: 'p-1',
          received_at: '2026-02-27T10:00:00+01:00',
          stored_at: p.storedAt,
          subject: 'Chodnik',
          sender: { name: 'Anna Nowak', email: 'anna@example.pl' },
          text: LOCAL[0],
          result: p.result,
          campaign_id: null,
        });
      });

      it('refuses an id stored already, and a campaign that does not exist; the store is unchanged', async () => {
        await put([petition('p-1', LOCAL[0]!), null]);
        await expect(store.writeTransaction((tx) => tx.insertPetition(petition('p-1', LOCAL[1]!), null, null))).rejects.toThrow();
        await expect(store.writeTransaction((tx) => tx.insertPetition(petition('p-2', LOCAL[1]!), 'no-such-campaign', null))).rejects.toThrow();
        expect((await store.getPetition('p-1'))!.text).toBe(LOCAL[0]);
        expect(await store.hasPetition('p-2')).toBe(false);
        expect((await store.stats()).petitions).toBe(1);
      });

      it('lists newest first with a total; pages with limit and offset; a summary carries excerpt, score, level, track and what other offices saw', async () => {
        const long = `${'Bardzo długi tekst petycji. '.repeat(30)}koniec`;
        await put(
          [petition('a', LOCAL[0]!, {}, { score: 0.1 }), null],
          [petition('b', long, { subject: 'Długa', senderEmail: 'b@example.pl', senderName: 'Beata' }, { score: 0.5, level: 'review', clearinghouse: { consulted: true, offices: 3 } }), null],
          [petition('c', LOCAL[2]!, {}, { clearinghouse: { consulted: true, offices: 0 } }), null],
        );
        const page = await store.listPetitions(all);
        expect(ids(page.items)).toEqual(['c', 'b', 'a']);
        expect(page).toMatchObject({ total: 3, limit: 100, offset: 0 });
        const b = page.items[1]!;
        expect(b).toMatchObject({ id: 'b', received_at: null, subject: 'Długa', sender: { name: 'Beata', email: 'b@example.pl' }, score: 0.5, level: 'review', track: 'standard', campaign: null, elsewhere: 3 });
        expect(b.excerpt).toBe(long.slice(0, 400));
        expect(page.items[0]!.elsewhere).toBeUndefined();
        expect(page.items[2]!.elsewhere).toBeUndefined();
        const second = await store.listPetitions({ limit: 1, offset: 1 });
        expect(ids(second.items)).toEqual(['b']);
        expect(second).toMatchObject({ total: 3, limit: 1, offset: 1 });
        expect((await store.listPetitions({ limit: 10, offset: 10 })).items).toEqual([]);
      });

      it('filters by level, track, a date range (received, else stored; both ends included) and campaign', async () => {
        await put(
          [petition('jan', LOCAL[0]!, { receivedAt: '2026-01-15' }, { level: 'high', track: 'petycje_masowe' }), null],
          [petition('feb', LOCAL[1]!, { receivedAt: '2026-02-01' }, { level: 'review' }), null],
          [petition('now', LOCAL[2]!), null],
        );
        expect(ids((await store.listPetitions({ ...all, level: 'high' })).items)).toEqual(['jan']);
        expect(ids((await store.listPetitions({ ...all, track: 'standard' })).items)).toEqual(['now', 'feb']);
        expect(ids((await store.listPetitions({ ...all, from: '2026-01-15', to: '2026-02-01' })).items)).toEqual(['feb', 'jan']);
        expect(ids((await store.listPetitions({ ...all, from: '2026-02-02' })).items)).toEqual(['now']);
        expect((await store.listPetitions({ ...all, to: '2026-01-14' })).total).toBe(0);
        // dates are compared as ISO text: a day as `to` ends before that day's instants
        await put([petition('feb-later', LOCAL[3]!, { receivedAt: '2026-02-01T09:00:00Z' }), null]);
        expect(ids((await store.listPetitions({ ...all, from: '2026-02-01', to: '2026-02-01' })).items)).toEqual(['feb']);
        expect(ids((await store.listPetitions({ ...all, from: '2026-02-01T00:00:00Z', to: '2026-02-01T23:59:59Z' })).items)).toEqual(['feb-later']);
        const c = await store.writeTransaction((tx) => tx.createCampaign('kmp-1', 'feb'));
        await put([petition('feb-2', LOCAL[1]!.replace('Zielone', 'Złote')), c.id]);
        const members = await store.listPetitions({ ...all, campaign: 'kmp-1' });
        expect(ids((await store.listPetitions({ ...all, level: 'low' })).items)).toEqual(['feb-2', 'feb-later', 'now']);
        expect(ids(members.items)).toEqual(['feb-2', 'feb']);
        expect(members.items[0]!.campaign).toEqual({ id: 'kmp-1', size: 2 });
        expect(await store.campaignMembers('kmp-1', 1, 1)).toMatchObject({ total: 2, items: [{ id: 'feb' }] });
      });
    });

    describe('search (q)', () => {
      beforeEach(async () => {
        await put(
          [petition('p1', 'Mieszkańcy Łodzi wnoszą o naprawę oświetlenia ulicznego.', { subject: 'Oświetlenie' }, { level: 'high' }), null],
          [petition('p2', 'Prośba o ławki w parku miejskim.', { senderEmail: 'jan.kowalski@example.pl' }), null],
          [petition('p3', 'Żądamy remontu drogi powiatowej; 50% mieszkańców podpisało.'), null],
        );
      });
      const found = async (q: string, extra: object = {}) => ids((await store.listPetitions({ ...all, ...extra, q })).items).sort();

      it('finds words with or without Polish letters and in any case, as prefixes, every word required', async () => {
        expect(await found('lodzi')).toEqual(['p1']);
        expect(await found('ŁODZI')).toEqual(['p1']);
        expect(await found('Łódź')).toEqual(['p1']); // "lodz", a prefix of "lodzi"
        expect(await found('łodzią')).toEqual([]);
        expect(await found('oswietl')).toEqual(['p1']);
        expect(await found('żądamy drogi')).toEqual(['p3']);
        expect(await found('zadamy ławki')).toEqual([]);
        expect(await found('mieszkancow')).toEqual(['p3']);
        expect(await found('mieszk')).toEqual(['p1', 'p3']);
      });

      it('searches the subject and the sender address too, and matches an exact id', async () => {
        expect(await found('oświetlenie')).toEqual(['p1']);
        expect(await found('kowalski')).toEqual(['p2']);
        expect(await found('example')).toEqual(['p2']);
        expect(await found('p2')).toEqual(['p2']);
      });

      it('a query without a word matches only an exact id; search syntax is taken literally', async () => {
        expect(await found('%')).toEqual([]);
        expect(await found('"OR*')).toEqual([]);
        expect(await found('p1 OR p2')).toEqual([]);
        expect(await found('-')).toEqual([]);
      });

      it('pages a search newest first with the total of every match, and combines it with other filters', async () => {
        const page = await store.listPetitions({ q: 'm', limit: 1, offset: 1 });
        expect(page.total).toBe(3);
        expect(ids(page.items)).toEqual(['p2']);
        expect(ids((await store.listPetitions({ q: 'm', limit: 50, offset: 0 })).items)).toEqual(['p3', 'p2', 'p1']);
        expect(await found('mieszk', { level: 'high' })).toEqual(['p1']);
        expect(await found('p2', { level: 'low' })).toEqual(['p2']);
        expect((await store.listPetitions({ q: 'mieszk', level: 'review', limit: 5, offset: 0 })).total).toBe(0);
      });

      it('an erased petition is no longer found by its words', async () => {
        await store.writeTransaction((tx) => tx.erasePetitions({ id: 'p1' }, new Date().toISOString()));
        expect(await found('lodzi')).toEqual([]);
        expect(await found('oswietlenie')).toEqual([]);
        expect(await found('mieszk')).toEqual(['p3']);
      });
    });

    describe('totals counted up to a cap (totalCap)', () => {
      /** 12 petitions, newest last: every one says "chodnik"; every third is high; k7 is about a bench. */
      const made = Array.from({ length: 12 }, (_, i) => `k${i}`);
      beforeEach(async () => {
        for (const [i, id] of made.entries()) {
          await put([petition(id, `Mieszkańcy proszą o naprawę chodnika numer ${i}${i === 7 ? ' i ławkę w parku' : ''}.`, {}, { level: i % 3 === 0 ? 'high' : 'low' }), null]);
        }
      });
      const newestFirst = [...made].reverse();
      /** Every page of a listing, walked with `limit`, and each page's total and exactness. */
      const walk = async (f: object, limit: number) => {
        const seen: string[] = [];
        const totals: Array<[number, boolean]> = [];
        for (let offset = 0; ; offset += limit) {
          const page = await store.listPetitions({ ...f, totalCap: 5, limit, offset });
          totals.push([page.total, page.total_exact]);
          if (!page.items.length) break;
          seen.push(...ids(page.items));
        }
        return { seen, totals };
      };

      it('past the cap the total is the cap, marked not exact, and the pages still reach every petition newest first', async () => {
        for (const f of [{}, { q: 'chodnika' }, { q: 'chod' }, { q: 'chodnika', track: 'standard' }, { q: 'chodnika', from: '2000-01-01' }, { from: '2000-01-01', to: '2999-01-01' }]) {
          const { seen, totals } = await walk(f, 5);
          expect(seen, JSON.stringify(f)).toEqual(newestFirst);
          expect(new Set(totals.map(String)), JSON.stringify(f)).toEqual(new Set(['5,false']));
        }
        const first = await store.listPetitions({ totalCap: 5, limit: 3, offset: 0 });
        expect(first).toMatchObject({ total: 5, total_exact: false, limit: 3, offset: 0 });
      });

      it('up to the cap the total is exact, also with filters and with a search', async () => {
        expect(await store.listPetitions({ level: 'high', totalCap: 5, limit: 2, offset: 0 })).toMatchObject({ total: 4, total_exact: true });
        expect(await store.listPetitions({ q: 'chodnika', level: 'high', totalCap: 5, limit: 2, offset: 0 })).toMatchObject({ total: 4, total_exact: true });
        expect(await store.listPetitions({ q: 'ławkę', totalCap: 5, limit: 2, offset: 0 })).toMatchObject({ total: 1, total_exact: true });
        expect(await store.listPetitions({ q: 'k3', totalCap: 5, limit: 2, offset: 0 })).toMatchObject({ total: 1, total_exact: true, items: [{ id: 'k3' }] });
        // exactly the cap is exact; one more is not
        expect(await store.listPetitions({ level: 'high', totalCap: 4, limit: 2, offset: 0 })).toMatchObject({ total: 4, total_exact: true });
        expect(await store.listPetitions({ level: 'high', totalCap: 3, limit: 2, offset: 0 })).toMatchObject({ total: 3, total_exact: false });
        // the default cap is far above 12
        expect(await store.listPetitions(all)).toMatchObject({ total: 12, total_exact: true });
        expect(await store.campaignMembers('none', 10, 0)).toMatchObject({ total: 0, total_exact: true });
      });

      it('a search with filters lists the same petitions, newest first, as the filters and the words alone', async () => {
        const high = newestFirst.filter((id) => Number(id.slice(1)) % 3 === 0);
        const { seen, totals } = await walk({ q: 'chodnika', level: 'high' }, 3);
        expect(seen).toEqual(high);
        expect(totals[0]).toEqual([4, true]);
        expect(ids((await store.listPetitions({ ...all, q: 'chodnika park', level: 'low' })).items)).toEqual(['k7']);
        expect(ids((await store.listPetitions({ ...all, q: 'chodnika park', level: 'high' })).items)).toEqual([]);
        // an exact id is listed with a search when it passes the filters, and counted once
        expect(await store.listPetitions({ ...all, q: 'k6', level: 'high' })).toMatchObject({ total: 1, items: [{ id: 'k6' }] });
        expect(await store.listPetitions({ ...all, q: 'k6', level: 'low' })).toMatchObject({ total: 0, items: [] });
        const capped = await store.listPetitions({ q: 'k6', totalCap: 5, limit: 50, offset: 0 });
        expect(capped).toMatchObject({ total: 1, total_exact: true });
      });
    });

    it('a search for an old petition\'s id lists it once, in its place, whether or not its words match too', async () => {
      // the two oldest: one whose id is a prefix of its own words ("naprawę"), one whose id is a word only the others have ("proszą")
      await put([petition('napraw', 'Prośba o naprawę ławki.'), null], [petition('prosza', 'Ławki w parku.'), null]);
      for (let i = 0; i < 12; i++) await put([petition(`n${i}`, `Mieszkańcy proszą o naprawę chodnika numer ${i}.`), null]);
      const newest = Array.from({ length: 12 }, (_, i) => `n${11 - i}`);
      for (const q of ['napraw', 'prosza']) {
        const seen: string[] = [];
        for (let offset = 0; offset < 20; offset += 5) {
          const page = await store.listPetitions({ q, totalCap: 5, limit: 5, offset });
          expect(page, q).toMatchObject({ total: 5, total_exact: false });
          seen.push(...ids(page.items));
        }
        expect(seen, q).toEqual([...newest, q]);
        expect(await store.listPetitions({ q, limit: 50, offset: 0 }), q).toMatchObject({ total: 13, total_exact: true });
      }
    });

    describe('campaigns and near-duplicate candidates', () => {
      it('a campaign made around a petition starts at size 1 with its text, senders and dates; members make it grow', async () => {
        await put([petition('rep', TEMPLATE('Łask', 30), { receivedAt: '2026-02-10', senderEmail: 'Biuro@Doradcy.pl' }), null]);
        const c = await store.writeTransaction((tx) => tx.createCampaign('kmp-a', 'rep'));
        expect(c).toEqual({
          id: 'kmp-a', source: 'local', label: null, family: null, sender: null, representative_petition: 'rep', representative_text: TEMPLATE('Łask', 30),
          size: 1, distinct_senders: 1, first_seen: '2026-02-10', last_seen: '2026-02-10',
        });
        expect((await store.getPetition('rep'))!.campaign_id).toBe('kmp-a');
        await put(
          [petition('m1', TEMPLATE('Kutno', 31), { receivedAt: '2026-02-01', senderEmail: 'biuro@doradcy.pl' }), 'kmp-a'],
          [petition('m2', TEMPLATE('Koło', 32), { senderName: 'Inny Nadawca' }), 'kmp-a'],
          [petition('m3', TEMPLATE('Turek', 33)), 'kmp-a'],
        );
        const grown = (await store.campaign('kmp-a'))!;
        expect(grown.size).toBe(4);
        expect(grown.distinct_senders).toBe(2); // addresses compared in lower case; a name counts when there is no address
        expect(grown.first_seen).toBe('2026-02-01');
        expect(grown.last_seen! > '2026-02-10').toBe(true); // m2, m3: stored now, no received date
        expect(await store.campaign('nope')).toBeNull();
        await expect(store.writeTransaction((tx) => tx.createCampaign('kmp-b', 'no-such-petition'))).rejects.toThrow();
      });

      it('lists campaigns by size or by last seen, with a total', async () => {
        await put([petition('a1', TEMPLATE('Łask', 1), { receivedAt: '2026-01-01' }), null], [petition('b1', TEMPLATE('Koło', 2), { receivedAt: '2026-02-01' }), null]);
        await store.writeTransaction(async (tx) => {
          await tx.createCampaign('small-late', 'b1');
          await tx.createCampaign('big-early', 'a1');
        });
        await put([petition('a2', TEMPLATE('Łask', 3), { receivedAt: '2026-01-02' }), 'big-early']);
        const bySize = await store.listCampaigns('size', 10, 0);
        expect(bySize.total).toBe(2);
        expect(ids(bySize.items)).toEqual(['big-early', 'small-late']);
        expect(ids((await store.listCampaigns('last_seen', 10, 0)).items)).toEqual(['small-late', 'big-early']);
        expect(ids((await store.listCampaigns('size', 1, 1)).items)).toEqual(['small-late']);
        // a known campaign without dates comes after every dated one by last seen; equal sizes keep the order they were made in
        const fp = fingerprint(normalise(LOCAL[3]!).folded);
        await store.writeTransaction((tx) => tx.upsertKnownCampaign({ id: 'known-undated', label: null, family: null, sender: null, firstSeen: null, lastSeen: null, size: 1, representativeText: null, fingerprint: fp }, bandKeys(fp.signature)));
        expect(ids((await store.listCampaigns('last_seen', 10, 0)).items)).toEqual(['small-late', 'big-early', 'known-undated']);
        expect(ids((await store.listCampaigns('size', 10, 0)).items)).toEqual(['big-early', 'small-late', 'known-undated']);
      });

      it('finds indexed petitions (with their campaign) and known campaigns as candidates by shared band keys; unindexed ones are not candidates', async () => {
        const a = petition('a', TEMPLATE('Łask', 30));
        const hidden = petition('hidden', LOCAL[1]!);
        await put([a, null], [hidden, null, false]);
        const probe = fingerprint(normalise(TEMPLATE('Sieradz', 30)).folded);
        const found = await store.candidates(bandKeys(probe.signature), 32);
        expect(found.map((c) => [c.kind, c.id])).toEqual([['petition', 'a']]);
        expect(found[0]!.campaign).toBeNull();
        expect(Array.from(found[0]!.fingerprint.signature)).toEqual(Array.from(a.fingerprint.signature));
        expect(found[0]!.fingerprint.shingles).toBe(a.fingerprint.shingles);
        expect(await store.candidates(keysOf(hidden), 32)).toEqual([]);

        await store.writeTransaction((tx) => tx.createCampaign('kmp-a', 'a'));
        expect((await store.candidates(bandKeys(probe.signature), 32))[0]!.campaign).toMatchObject({ id: 'kmp-a', size: 1 });

        const known: NewKnownCampaign = {
          id: 'known-x', label: 'mass', family: 'oświetlenie', sender: 'doradcy', firstSeen: '2025-01-01', lastSeen: '2025-06-01', size: 40,
          representativeText: null, fingerprint: fingerprint(normalise(LOCAL[3]!).folded),
        };
        await store.writeTransaction((tx) => tx.upsertKnownCampaign(known, bandKeys(known.fingerprint.signature)));
        const k = await store.candidates(bandKeys(known.fingerprint.signature), 32);
        expect(k.map((c) => [c.kind, c.id])).toEqual([['campaign', 'known-x']]);
        expect(k[0]!.campaign).toMatchObject({ id: 'known-x', source: 'known', label: 'mass', family: 'oświetlenie', sender: 'doradcy', size: 40, representative_petition: null });
        expect((await store.candidates(bandKeys(known.fingerprint.signature), 0)).length).toBe(0);
      });

      it('a known campaign loaded again is updated, not duplicated: its size never shrinks and its new band keys replace the old', async () => {
        const fpA = fingerprint(normalise(LOCAL[0]!).folded);
        const fpB = fingerprint(normalise(LOCAL[2]!).folded);
        const known = (size: number, fp = fpA, text: string | null = null): NewKnownCampaign => ({ id: 'known-y', label: 'regular', family: 'f', sender: null, firstSeen: null, lastSeen: null, size, representativeText: text, fingerprint: fp });
        await store.writeTransaction((tx) => tx.upsertKnownCampaign(known(10, fpA, 'tekst'), bandKeys(fpA.signature)));
        await store.writeTransaction((tx) => tx.upsertKnownCampaign(known(4, fpB), bandKeys(fpB.signature)));
        expect(await store.campaign('known-y')).toMatchObject({ size: 10, representative_text: 'tekst', source: 'known' });
        expect((await store.listCampaigns('size', 10, 0)).total).toBe(1);
        expect(await store.candidates(bandKeys(fpA.signature), 32)).toEqual([]);
        expect(ids(await store.candidates(bandKeys(fpB.signature), 32))).toEqual(['known-y']);
        await put([petition('loc', TEMPLATE('Łask', 1)), null]);
        await store.writeTransaction((tx) => tx.createCampaign('kmp-local', 'loc'));
        await expect(store.writeTransaction((tx) => tx.upsertKnownCampaign({ ...known(1), id: 'kmp-local' }, []))).rejects.toThrow();
      });
    });

    describe('scoring through the store (the engine)', () => {
      const engine = () => new Engine({ rules: loadRules(), thresholds, store });

      it('the same id with the same text gets the stored verdict; with another text it is refused (409) and nothing changes', async () => {
        const e = engine();
        const first = await e.score({ id: 'x1', text: LOCAL[0]!, store: true });
        expect(await e.score({ id: 'x1', text: LOCAL[0]!, store: true })).toEqual(first);
        await expect(e.score({ id: 'x1', text: LOCAL[1]!, store: true })).rejects.toBeInstanceOf(PetitionConflictError);
        expect((await store.getPetition('x1'))!.text).toBe(LOCAL[0]);
        expect((await store.stats()).petitions).toBe(1);
      });

      it('copies of one new template scored at once all land in one campaign', async () => {
        const e = engine();
        const n = 12;
        const results = await Promise.all(Array.from({ length: n }, (_, i) => e.score({ id: `t-${i}`, text: TEMPLATE(`Gmina${i}`, 40 + i), store: true })));
        const campaigns = new Set(results.map((r) => r.campaign?.id).filter(Boolean));
        expect(campaigns.size).toBe(1);
        expect(results.filter((r) => r.campaign === null)).toHaveLength(1);
        const c = (await store.campaign([...campaigns][0]!))!;
        expect(c.size).toBe(n);
        expect((await store.campaignMembers(c.id, 50, 0)).total).toBe(n);
        expect(results.map((r) => r.campaign?.size ?? 1).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      });

      it('what happens after the insert inside the transaction fails: the petition is not stored', async () => {
        const e = engine();
        e.onStored = async (_s, tx) => {
          await tx.outbox.enqueue('report', 'r-1', '{}', new Date().toISOString());
          throw new Error('outbox refused');
        };
        await expect(e.score({ id: 'y1', text: LOCAL[0]!, store: true })).rejects.toThrow('outbox refused');
        expect(await store.hasPetition('y1')).toBe(false);
        expect(await store.outbox.pending()).toBe(0);
        expect((await store.listPetitions({ ...all, q: 'chodnika' })).total).toBe(0);
      });

      it('store=false compares with the store without changing it', async () => {
        const e = engine();
        await e.score({ id: 'a', text: TEMPLATE('Łask', 1), store: true });
        await e.score({ id: 'b', text: TEMPLATE('Koło', 2), store: true });
        const check = await e.score({ id: 'c', text: TEMPLATE('Turek', 3), store: false });
        expect(check.campaign?.size).toBe(2);
        expect(await store.hasPetition('c')).toBe(false);
        expect((await store.campaign(check.campaign!.id))!.size).toBe(2);
      });
    });

    describe('write transactions', () => {
      it('commits when the function resolves and returns its value; rolls everything back when it rejects', async () => {
        expect(await store.writeTransaction(async (tx) => (await tx.setLoginFailures('account', 'a', '2026-01-01T00:00:00Z', 1), 'done'))).toBe('done');
        await expect(
          store.writeTransaction(async (tx) => {
            await tx.setLoginFailures('account', 'a', '2026-01-01T00:00:00Z', 7);
            await tx.addUser('ghost', 'clerk', 'hash');
            await tx.track.addStatus({ petition_id: 'x', status: 'w_toku', note: null, login: 'k', at: '2026-01-01' });
            await tx.outbox.enqueue('mark', 'r', '{}', '2026-01-01');
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        expect(await store.loginFailures('account', 'a')).toEqual({ window_start: '2026-01-01T00:00:00Z', failures: 1 });
        expect(await store.userWithHash('ghost')).toBeNull();
        expect((await store.track.latestStatus(['x'])).size).toBe(0);
        expect(await store.outbox.pending()).toBe(0);
      });

      it('serialises transactions: read-then-write steps of concurrent transactions never interleave', async () => {
        const bump = () =>
          store.writeTransaction(async (tx) => {
            const f = await tx.loginFailures('address', 'counter');
            await tx.hasPetition('anything'); // more awaits between the read and the write
            await tx.loginFailures('account', 'other');
            await tx.setLoginFailures('address', 'counter', '2026-01-01T00:00:00Z', (f?.failures ?? 0) + 1);
          });
        await Promise.all(Array.from({ length: 20 }, bump));
        expect((await store.loginFailures('address', 'counter'))!.failures).toBe(20);
      });

      it('a reader outside an open transaction never sees what it wrote before that transaction rolls back', async () => {
        await store.setLoginFailures('account', 'k', '2026-01-01T00:00:00Z', 1);
        let written!: () => void;
        const wrote = new Promise<void>((r) => (written = r));
        const outcome = store
          .writeTransaction(async (t) => {
            await t.setLoginFailures('account', 'k', '2026-01-01T00:00:00Z', 99);
            written();
            for (let i = 0; i < 5; i++) await t.loginFailures('account', 'k');
            throw new Error('rolled back');
          })
          .catch((e: Error) => e.message);
        await wrote;
        const seen = await store.loginFailures('account', 'k');
        expect(await outcome).toBe('rolled back');
        expect(seen?.failures).toBe(1);
        expect((await store.loginFailures('account', 'k'))!.failures).toBe(1);
      });

      it('a nested transaction is a savepoint: rolled back alone when it rejects', async () => {
        await store.writeTransaction(async (tx) => {
          await tx.setLoginFailures('account', 'outer', '2026-01-01T00:00:00Z', 1);
          await expect(
            tx.writeTransaction(async (inner) => {
              await inner.setLoginFailures('account', 'inner', '2026-01-01T00:00:00Z', 1);
              throw new Error('inner fails');
            }),
          ).rejects.toThrow('inner fails');
          await tx.writeTransaction((inner) => inner.setLoginFailures('account', 'kept', '2026-01-01T00:00:00Z', 2));
        });
        expect(await store.loginFailures('account', 'outer')).not.toBeNull();
        expect(await store.loginFailures('account', 'inner')).toBeNull();
        expect((await store.loginFailures('account', 'kept'))!.failures).toBe(2);
      });

      it('refuses work through a transaction that has ended', async () => {
        let leaked!: Store;
        await store.writeTransaction(async (tx) => {
          leaked = tx;
        });
        await expect(leaked.hasPetition('x')).rejects.toThrow();
        expect(await store.hasPetition('x')).toBe(false);
      });
    });

    describe('accounts and sessions', () => {
      const later = '2099-01-01T00:00:00.000Z';
      it('adds an account; adding it again changes role and password, enables it, and ends its sessions', async () => {
        await store.addUser('kasia', 'clerk', 'h1');
        expect(await store.userWithHash('kasia')).toEqual({ login: 'kasia', role: 'clerk', password_hash: 'h1', disabled: false });
        expect(await store.userWithHash('nobody')).toBeNull();
        await store.createSession('t1', 'kasia', 'csrf1', later);
        expect(await store.session('t1', new Date().toISOString())).toEqual({ login: 'kasia', role: 'clerk', csrf: 'csrf1', expires_at: later });
        expect(await store.disableUser('kasia', '2026-03-01T00:00:00Z')).toBe(true);
        expect((await store.userWithHash('kasia'))!.disabled).toBe(true);
        await store.addUser('kasia', 'analyst', 'h2');
        expect(await store.userWithHash('kasia')).toEqual({ login: 'kasia', role: 'analyst', password_hash: 'h2', disabled: false });
        await store.createSession('t2', 'kasia', 'csrf2', later);
        await store.addUser('kasia', 'analyst', 'h3');
        expect(await store.session('t2', new Date().toISOString())).toBeNull();
      });

      it('a session ends when it expires, when deleted, and when its account is disabled', async () => {
        await store.addUser('ola', 'clerk', 'h');
        await store.createSession('t-exp', 'ola', 'c', '2026-03-01T10:00:00.000Z');
        expect(await store.session('t-exp', '2026-03-01T09:59:59.999Z')).not.toBeNull();
        expect(await store.session('t-exp', '2026-03-01T10:00:00.000Z')).toBeNull();
        await store.createSession('t-del', 'ola', 'c', later);
        await store.deleteSession('t-del');
        expect(await store.session('t-del', new Date().toISOString())).toBeNull();
        await store.deleteSession('never-existed');
        await store.createSession('t-dis', 'ola', 'c', later);
        expect(await store.disableUser('ola', new Date().toISOString())).toBe(true);
        expect(await store.session('t-dis', new Date().toISOString())).toBeNull();
        expect(await store.disableUser('nobody', new Date().toISOString())).toBe(false);
        expect(await store.session('unknown', new Date().toISOString())).toBeNull();
      });

      it('keeps failed sign-in counters per scope and key; set replaces, clear removes', async () => {
        expect(await store.loginFailures('account', 'kasia')).toBeNull();
        await store.setLoginFailures('account', 'kasia', '2026-03-01T10:00:00Z', 1);
        await store.setLoginFailures('account', 'kasia', '2026-03-01T10:00:00Z', 2);
        await store.setLoginFailures('address', 'kasia', '2026-03-01T11:00:00Z', 5);
        expect(await store.loginFailures('account', 'kasia')).toEqual({ window_start: '2026-03-01T10:00:00Z', failures: 2 });
        expect(await store.loginFailures('address', 'kasia')).toEqual({ window_start: '2026-03-01T11:00:00Z', failures: 5 });
        await store.clearLoginFailures('account', 'kasia');
        expect(await store.loginFailures('account', 'kasia')).toBeNull();
        expect(await store.loginFailures('address', 'kasia')).not.toBeNull();
      });
    });

    describe("clerks' marks", () => {
      it('the latest mark of each petition counts; a mark on an unknown petition is refused', async () => {
        await put([petition('a', LOCAL[0]!, { subject: 'S', senderEmail: 'a@x.pl', receivedAt: '2026-02-01' }), null], [petition('b', LOCAL[1]!), null], [petition('c', LOCAL[2]!), null]);
        await store.addFeedback({ petition_id: 'a', label: 'mass', login: 'k1', at: '2026-03-01T10:00:00Z' });
        await store.addFeedback({ petition_id: 'b', label: 'regular', login: 'k1', at: '2026-03-01T10:01:00Z' });
        await store.addFeedback({ petition_id: 'a', label: 'regular', login: 'k2', at: '2026-03-01T10:02:00Z' });
        await expect(store.addFeedback({ petition_id: 'zz', label: 'mass', login: 'k', at: '2026-03-01' })).rejects.toThrow();
        const latest = await store.latestFeedback(['a', 'b', 'c', 'zz']);
        expect([...latest.keys()].sort()).toEqual(['a', 'b']);
        expect(latest.get('a')).toEqual({ petition_id: 'a', label: 'regular', login: 'k2', at: '2026-03-01T10:02:00Z' });
        expect((await store.latestFeedback([])).size).toBe(0);
        const rows = await store.feedbackForExport();
        expect(rows.map((r) => [r.petition_id, r.label])).toEqual([['b', 'regular'], ['a', 'regular']]);
        expect(rows[1]).toMatchObject({ text: LOCAL[0], subject: 'S', sender_email: 'a@x.pl', received_at: '2026-02-01', login: 'k2' });
        await store.erasePetitions({ id: 'b' }, new Date().toISOString());
        expect((await store.feedbackForExport()).map((r) => r.petition_id)).toEqual(['a']);
      });
    });

    describe('audit trail', () => {
      it('newest first, filtered by time, action and seq (paging backwards); details kept as given', async () => {
        const e = (at: string, action: 'sign_in' | 'mark' | 'purge', detail: Record<string, unknown> | null = null) => ({ at, actor: 'kasia', address: '127.0.0.1', action, target: 't', detail });
        await store.recordAudit(e('2026-03-01T10:00:00Z', 'sign_in'));
        await store.recordAudit(e('2026-03-02T10:00:00Z', 'mark', { label: 'mass', nested: { n: 1 } }));
        await store.recordAudit({ ...e('2026-03-03T10:00:00Z', 'purge', { petitions: 2 }), address: null, target: null });
        const trail = await store.auditTrail({ limit: 10 });
        expect(trail.map((t) => t.action)).toEqual(['purge', 'mark', 'sign_in']);
        expect(trail[0]!.seq).toBeGreaterThan(trail[1]!.seq);
        expect(trail[1]).toMatchObject({ at: '2026-03-02T10:00:00Z', actor: 'kasia', address: '127.0.0.1', target: 't', detail: { label: 'mass', nested: { n: 1 } } });
        expect(trail[0]).toMatchObject({ address: null, target: null, detail: { petitions: 2 } });
        expect(trail[2]!.detail).toBeNull();
        expect((await store.auditTrail({ limit: 10, since: '2026-03-02T10:00:00Z' })).map((t) => t.action)).toEqual(['purge', 'mark']);
        expect((await store.auditTrail({ limit: 10, action: 'mark' })).map((t) => t.action)).toEqual(['mark']);
        expect((await store.auditTrail({ limit: 10, before: trail[0]!.seq })).map((t) => t.action)).toEqual(['mark', 'sign_in']);
        expect((await store.auditTrail({ limit: 1 })).map((t) => t.action)).toEqual(['purge']);
      });
    });

    describe('models', () => {
      const card = { data: { rows: 10 }, note: 'ż' };
      it('registers versions (again: a new path and card), lists them newest first, records activations newest first', async () => {
        await store.registerModel({ version: 'm1', source: 'shipped', path: '/a/m1.json', created_at: '2026-01-01T00:00:00Z', card });
        await store.registerModel({ version: 'm2', source: 'trained', path: '/a/m2.json', created_at: '2026-02-01T00:00:00Z', card: {} });
        await store.registerModel({ version: 'm1', source: 'shipped', path: '/b/m1.json', created_at: '2026-01-01T00:00:00Z', card: { v: 2 } });
        expect((await store.models()).map((m) => m.version)).toEqual(['m2', 'm1']);
        expect(await store.model('m1')).toEqual({ version: 'm1', source: 'shipped', path: '/b/m1.json', created_at: '2026-01-01T00:00:00Z', card: { v: 2 } });
        expect(await store.model('nope')).toBeNull();
        expect(await store.activations(5)).toEqual([]);
        await store.recordActivation('m2');
        await store.recordActivation('m1');
        await store.recordActivation('m2');
        const acts = await store.activations(2);
        expect(acts.map((a) => a.version)).toEqual(['m2', 'm1']);
        expect(Number.isNaN(Date.parse(acts[0]!.activated_at))).toBe(false);
        await expect(store.recordActivation('never-registered')).rejects.toThrow();
      });
    });

    describe('embeddings', () => {
      it('returns one model’s stored vectors oldest first with each level; only the newest N when asked', async () => {
        const v = (x: number) => new Float32Array([x, x / 2, -x, 0.125]);
        await put(
          [petition('e1', LOCAL[0]!, { embedding: { model: 'e5', vector: v(1) } }), null],
          [petition('e2', LOCAL[1]!, { embedding: { model: 'other', vector: v(2) } }), null],
          [petition('e3', LOCAL[2]!, { embedding: { model: 'e5', vector: v(3) } }, { level: 'high' }), null],
          [petition('e4', LOCAL[3]!), null],
        );
        const e5 = await store.embeddings('e5');
        expect(e5.map((e) => [e.id, e.level])).toEqual([['e1', 'low'], ['e3', 'high']]);
        expect(e5[1]!.vector).toBeInstanceOf(Float32Array);
        expect(Array.from(e5[1]!.vector)).toEqual(Array.from(v(3)));
        expect((await store.embeddings('e5', 1)).map((e) => e.id)).toEqual(['e3']);
        expect(await store.embeddings('none')).toEqual([]);
      });
    });

    describe('original documents', () => {
      const doc = { parts: [{ name: 'list.eml', type: 'text/plain', role: 'body' as const, start: 0, end: 10, ocr: false }], skipped: [{ name: 'logo.png', reason: 'obraz bez tekstu' }] };
      it('keeps the first original sent for a stored petition whose text it is; the file can be left out', async () => {
        await put([petition('d1', LOCAL[0]!), null]);
        const bytes = new Uint8Array([0, 1, 2, 255, 128]);
        await store.putDocument({ petitionId: 'd1', text: 'another text', contentType: 'message/rfc822', filename: 'x.eml', bytes, document: doc });
        expect(await store.document('d1', true)).toBeNull();
        await store.putDocument({ petitionId: 'zz', text: LOCAL[0]!, contentType: 'message/rfc822', filename: 'x.eml', bytes, document: doc });
        expect(await store.document('zz', true)).toBeNull();
        await store.putDocument({ petitionId: 'd1', text: LOCAL[0]!, contentType: 'message/rfc822', filename: 'list.eml', bytes, document: doc });
        await store.putDocument({ petitionId: 'd1', text: LOCAL[0]!, contentType: 'application/pdf', filename: 'later.pdf', bytes: new Uint8Array([9]), document: doc });
        const d = (await store.document('d1', true))!;
        expect(d).toMatchObject({ petition_id: 'd1', content_type: 'message/rfc822', filename: 'list.eml', size: 5, parts: doc.parts, skipped: doc.skipped });
        expect(Array.from(d.bytes!)).toEqual([0, 1, 2, 255, 128]);
        expect(Number.isNaN(Date.parse(d.stored_at))).toBe(false);
        const light = (await store.document('d1', false))!;
        expect(light.bytes).toBeInstanceOf(Uint8Array);
        expect(light.bytes!.length).toBe(0);
        expect(light.size).toBe(5);
      });

      it('an original over the limit is recorded without its file (bytes null, size 0)', async () => {
        await put([petition('d2', LOCAL[1]!), null]);
        await store.putDocument({ petitionId: 'd2', text: LOCAL[1]!, contentType: 'application/pdf', filename: null, bytes: null, document: doc });
        expect(await store.document('d2', true)).toMatchObject({ bytes: null, size: 0, filename: null });
        expect((await store.document('d2', false))!.bytes).toBeNull();
      });
    });

    describe('erasing petitions (RODO)', () => {
      it('erases text and personal data everywhere they are kept; the row, score, fingerprint and campaign stay', async () => {
        const p = petition('r1', TEMPLATE('Łask', 30), { subject: 'Temat', senderName: 'Anna', senderEmail: 'anna@x.pl', receivedAt: '2020-01-01', embedding: { model: 'e5', vector: new Float32Array([1, 2]) } }, { score: 0.93, level: 'high' });
        await put([p, null]);
        const c = await store.writeTransaction((tx) => tx.createCampaign('kmp-r', 'r1'));
        await put([petition('r2', TEMPLATE('Koło', 31)), c.id]);
        await store.putDocument({ petitionId: 'r1', text: p.text, contentType: 'text/plain', filename: 'r1.txt', bytes: new Uint8Array([1]), document: { parts: [], skipped: [] } });
        await store.track.addStatus({ petition_id: 'r1', status: 'w_toku', note: 'rozmowa z Anną', login: 'k', at: '2026-01-01' });
        const at = '2026-03-05T12:00:00.000Z';
        expect(await store.erasePetitions({ id: 'r1' }, at)).toEqual(['r1']);
        const erased = (await store.getPetition('r1'))!;
        expect(erased).toMatchObject({ text: '', subject: null, sender: { name: null, email: null }, campaign_id: 'kmp-r', received_at: '2020-01-01' });
        expect(erased.result.score).toBe(0.93);
        expect(erased.result.reasons.every((r) => r.evidence.length === 0)).toBe(true);
        expect(erased.result.reasons).toHaveLength(p.result.reasons.length);
        expect(await store.embeddings('e5')).toEqual([]);
        expect(await store.document('r1', false)).toBeNull();
        expect((await store.track.latestStatus(['r1'])).get('r1')).toMatchObject({ status: 'w_toku', note: null });
        expect(await store.campaign('kmp-r')).toMatchObject({ size: 2, representative_petition: 'r1', representative_text: null });
        // near-duplicate detection goes on with the erased petition's fingerprint
        const probe = fingerprint(normalise(TEMPLATE('Turek', 32)).folded);
        expect(ids(await store.candidates(bandKeys(probe.signature), 32))).toContain('r1');
        expect(await store.erasePetitions({ id: 'r1' }, at)).toEqual([]);
        expect(await store.erasePetitions({ id: 'nope' }, at)).toEqual([]);
        expect(await store.hasPetition('r1')).toBe(true);
      });

      it('erases by date: received (else stored) strictly before it', async () => {
        await put(
          [petition('old', LOCAL[0]!, { receivedAt: '2020-05-01' }), null],
          [petition('edge', LOCAL[1]!, { receivedAt: '2021-01-01' }), null],
          [petition('stored-old', LOCAL[2]!, { storedAt: '2019-01-01T00:00:00.000Z' }), null],
          [petition('new', LOCAL[3]!), null],
        );
        expect((await store.erasePetitions({ before: '2021-01-01' }, new Date().toISOString())).sort()).toEqual(['old', 'stored-old']);
        expect((await store.getPetition('edge'))!.text).toBe(LOCAL[1]);
        expect((await store.getPetition('new'))!.text).toBe(LOCAL[3]);
        expect(await store.erasePetitions({ before: '2021-01-01' }, new Date().toISOString())).toEqual([]);
      });
    });

    describe('the mass track (store.track)', () => {
      beforeEach(async () => {
        await put(
          [petition('t1', TEMPLATE('Łask', 1), { receivedAt: '2026-01-10', subject: 'Oświetlenie', senderName: 'A', senderEmail: 'a@x.pl' }, { level: 'high', track: 'petycje_masowe' }), null],
          [petition('t2', TEMPLATE('Koło', 2), { receivedAt: '2026-01-05' }, { level: 'high', track: 'petycje_masowe' }), null],
          [petition('t3', LOCAL[0]!, { receivedAt: '2026-02-01T09:00:00Z', subject: 'Chodnik 100%' }), null],
          [petition('t4', LOCAL[1]!), null],
        );
        await store.writeTransaction(async (tx) => {
          await tx.createCampaign('kmp-t', 't1');
        });
        await put([petition('t5', TEMPLATE('Turek', 3), { receivedAt: '2026-01-20' }, { level: 'review' }), 'kmp-t']);
      });

      it('campaign names: an automatic name never replaces a clerk’s; unnamed campaigns come with their text', async () => {
        const ts = store.track;
        expect((await ts.unnamedCampaigns(['kmp-t', 'nope'])).map((c) => c.id)).toEqual(['kmp-t']);
        expect((await ts.unnamedCampaigns(['kmp-t']))[0]).toEqual({ id: 'kmp-t', text: TEMPLATE('Łask', 1), family: null });
        await ts.setCampaignName('kmp-t', 'oświetlenie, led', ['oświetlenie', 'led'], 'auto', null);
        expect((await ts.campaignNames(['kmp-t'])).get('kmp-t')).toMatchObject({ campaign_id: 'kmp-t', name: 'oświetlenie, led', words: ['oświetlenie', 'led'], source: 'auto', login: null });
        await ts.setCampaignName('kmp-t', 'auto again', ['x'], 'auto', null);
        expect((await ts.campaignNames(['kmp-t'])).get('kmp-t')!.name).toBe('auto again');
        await ts.setCampaignName('kmp-t', 'Lampy LED', [], 'clerk', 'kasia');
        await ts.setCampaignName('kmp-t', 'auto later', ['y'], 'auto', null);
        expect((await ts.campaignNames(['kmp-t', 'other'])).get('kmp-t')).toMatchObject({ name: 'Lampy LED', source: 'clerk', login: 'kasia', words: [] });
        await ts.setCampaignName('kmp-t', 'Lampy', [], 'clerk', 'ola');
        expect((await ts.campaignNames(['kmp-t'])).get('kmp-t')).toMatchObject({ name: 'Lampy', login: 'ola' });
        expect(await ts.unnamedCampaigns(['kmp-t'])).toEqual([]);
        expect((await ts.campaignNames([])).size).toBe(0);
      });

      it('corpus texts: the newest petitions (cut to 4000 characters, with their campaign), then campaigns’ texts', async () => {
        const texts = await store.track.corpusTexts(2);
        expect(texts).toEqual([
          { text: TEMPLATE('Turek', 3), campaign: 'kmp-t' },
          { text: LOCAL[1], campaign: null },
          { text: TEMPLATE('Łask', 1), campaign: 'kmp-t' },
        ]);
      });

      it('petycja wielokrotna: created with increasing numbers, the campaign’s newest, members decided and changed, an outcome', async () => {
        const ts = store.track;
        const j = { campaign_id: 'kmp-t', subject: 'Oświetlenie', ordered_by: 'kasia', ordered_at: '2026-02-01T10:00:00Z', announced_on: '2026-02-01', waiting_end: '2026-05-01', deadline: '2026-08-01' };
        const first = await ts.createJoint(j);
        const second = await ts.createJoint({ ...j, subject: 'Drugie' });
        expect(second).toBeGreaterThan(first);
        expect(await ts.joint(first)).toEqual({ seq: first, ...j, outcome: null, outcome_by: null, outcome_at: null });
        expect(await ts.joint(second + 100)).toBeNull();
        expect((await ts.jointOfCampaign('kmp-t'))!.seq).toBe(second);
        expect(await ts.jointOfCampaign('nope')).toBeNull();
        expect((await ts.joints()).map((x) => x.seq)).toEqual([second, first]);
        await ts.setMember(first, 't1', 'member', 'kasia');
        await ts.setMember(first, 't5', 'member', 'kasia');
        await ts.setMember(first, 't5', 'rejected', 'ola');
        await ts.setMember(second, 't1', 'member', 'ola');
        const members = await ts.jointMembers(first);
        expect(members.get('t5')).toMatchObject({ petition_id: 't5', state: 'rejected', decided_by: 'ola' });
        expect(members.get('t1')!.state).toBe('member');
        const of = await ts.jointsOfPetitions(['t1', 't5', 't3']);
        expect([...of.keys()]).toEqual(['t1']);
        expect(of.get('t1')!.seq).toBe(second);
        expect([...(await ts.allJointMembers()).keys()]).toEqual(['t1']);
        await ts.setOutcome(first, 'Rozpatrzono pozytywnie', 'kasia');
        expect(await ts.joint(first)).toMatchObject({ outcome: 'Rozpatrzono pozytywnie', outcome_by: 'kasia' });
        expect((await ts.joint(first))!.outcome_at).not.toBeNull();
      });

      it('announcement templates are kept per kind; setting one again replaces it', async () => {
        const ts = store.track;
        expect((await ts.templates()).size).toBe(0);
        await ts.setTemplate('zarzadzenie', 'Treść {organ}', 'kasia');
        await ts.setTemplate('_organ', 'Wójt Gminy Łask', 'kasia');
        await ts.setTemplate('zarzadzenie', 'Nowa treść', 'ola');
        const t = await ts.templates();
        expect(t.get('zarzadzenie')).toMatchObject({ body: 'Nowa treść', updated_by: 'ola' });
        expect(t.get('_organ')!.body).toBe('Wójt Gminy Łask');
      });

      it('progress: the latest entry of each petition', async () => {
        const ts = store.track;
        await ts.addStatus({ petition_id: 't1', status: 'w_toku', note: 'n1', login: 'k', at: '2026-02-01' });
        await ts.addStatus({ petition_id: 't1', status: 'zalatwiona', note: null, login: 'o', at: '2026-02-02' });
        await ts.addStatus({ petition_id: 't3', status: 'w_toku', note: null, login: 'k', at: '2026-02-03' });
        expect((await ts.latestStatus(['t1', 't2'])).get('t1')).toEqual({ petition_id: 't1', status: 'zalatwiona', note: null, login: 'o', at: '2026-02-02' });
        expect([...(await ts.latestStatus(['t1', 't2'])).keys()]).toEqual(['t1']);
        expect([...(await ts.allLatestStatus()).keys()].sort()).toEqual(['t1', 't3']);
      });

      it('dated rows for the inbox by deadline: filters and q like the listing, ordered windows, joint members apart, counted to a limit', async () => {
        const ts = store.track;
        const dates = async (f: object) => (await ts.datedRows(f, { order: 'received', limit: Infinity })).map((r) => r.id).sort();
        expect(await dates({})).toEqual(['t1', 't2', 't3', 't4', 't5']);
        expect(await dates({ level: 'high' })).toEqual(['t1', 't2']);
        expect(await dates({ track: 'standard' })).toEqual(['t3', 't4', 't5']);
        expect(await dates({ from: '2026-01-10', to: '2026-01-20' })).toEqual(['t1', 't5']);
        expect(await dates({ campaign: 'kmp-t' })).toEqual(['t1', 't5']);
        // the full-text words (folded, as prefixes) or the exact id, as listPetitions reads q
        expect(await dates({ q: 'CHODNIK' })).toEqual(['t3']);
        expect(await dates({ q: 'chodn' })).toEqual(['t3']);
        expect(await dates({ q: 't4' })).toEqual(['t4']);
        expect(await dates({ q: 'hodnik' })).toEqual([]);
        const all = await ts.datedRows({}, { order: 'received', limit: Infinity });
        const byId = new Map(all.map((r) => [r.id, r]));
        expect(byId.get('t1')).toMatchObject({ received_at: '2026-01-10' });
        expect(byId.get('t5')!.seq).toBeGreaterThan(byId.get('t1')!.seq);
        // by receipt (or storage) as text, then seq; a window after a row; newest stored first
        const received = all.map((r) => r.id);
        expect(received.slice(0, 4)).toEqual(['t2', 't1', 't5', 't3']);
        const t1 = byId.get('t1')!;
        expect((await ts.datedRows({}, { order: 'received', after: { key: '2026-01-10', seq: t1.seq }, limit: 2 })).map((r) => r.id)).toEqual(['t5', 't3']);
        const newest = (await ts.datedRows({}, { order: 'newest', limit: 3 })).map((r) => r.id);
        expect(newest).toEqual([...all].sort((a, b) => (a.stored_at < b.stored_at ? 1 : a.stored_at > b.stored_at ? -1 : b.seq - a.seq)).slice(0, 3).map((r) => r.id));
        expect((await ts.datedRows({}, { order: 'received', range: { from: '2026-01-10', before: '2026-01-20' }, limit: Infinity })).map((r) => r.id)).toEqual(['t1']);
        // members of a petycja wielokrotna are listed apart (a rejected member is not one)
        const j = await ts.createJoint({ campaign_id: 'kmp-t', subject: 's', ordered_by: 'k', ordered_at: '2026-02-01', announced_on: '2026-02-01', waiting_end: '2026-03-01', deadline: '2026-06-01' });
        await ts.setMember(j, 't1', 'member', 'k');
        await ts.setMember(j, 't5', 'rejected', 'k');
        expect(await dates({})).toEqual(['t2', 't3', 't4', 't5']);
        expect((await ts.datedRows({}, { order: 'received', limit: 1 }, true)).map((r) => r.id)).toEqual(['t1']);
        expect(await ts.countDated({}, undefined, 100)).toBe(4);
        expect(await ts.countDated({}, undefined, 2)).toBe(2);
        // overdue (received before hi, not closed) and not overdue (received on or after lo, or closed)
        await ts.addStatus({ petition_id: 't2', status: 'rozpatrzona', note: null, login: 'k', at: '2026-03-01' });
        const overdue = { overdue: true, lo: '2026-01-18', hi: '2026-01-22' };
        expect((await ts.datedRows({}, { order: 'received', open: overdue, limit: Infinity })).map((r) => r.id)).toEqual(['t5']);
        expect(await ts.countDated({}, overdue, 100)).toBe(1);
        const notOverdue = { ...overdue, overdue: false };
        expect((await ts.datedRows({}, { order: 'received', open: notOverdue, limit: Infinity })).map((r) => r.id).sort()).toEqual(['t2', 't3', 't4', 't5']);
        await ts.addStatus({ petition_id: 't2', status: 'w_toku', note: null, login: 'k', at: '2026-03-02' });
        expect((await ts.datedRows({}, { order: 'received', open: overdue, limit: Infinity })).map((r) => r.id)).toEqual(['t2', 't5']);
      });

      it('the inbox by deadline and overdue lists the same pages as sorting every petition in the process, with totals capped and no page past the cap', async () => {
        const ts = store.track;
        // regular petitions around month ends (31 Aug/30 Nov + 3 months clamp to one day), near
        // midnight in Poland, without a date of receipt, stored at one instant, of either level
        const received: Array<string | null> = [
          '2025-08-29', '2025-08-31', '2025-08-30T21:30:00Z', '2025-11-28', '2025-11-29T10:00:00Z', '2025-11-30T23:30:00Z', '2025-11-30',
          '2025-11-27T23:10:00Z', '2025-11-26T22:59:00Z', '2025-11-26T23:00:00Z', '2025-11-28T12:00:00+02:00', null, null, '2025-12-01',
          '2025-10-31T23:30:00Z', '2025-12-02', '2025-11-29', '2025-12-31T23:00:00Z', '2026-01-31', '2025-09-15', '2025-11-28', '2026-02-20',
        ];
        const sameInstant = '2026-03-01T08:30:00.000Z';
        const ps = received.map((r, i) =>
          petition(`d${String(i).padStart(2, '0')}`, `${LOCAL[i % LOCAL.length]!} ${i % 3 === 0 ? 'Latarnia przy szkole.' : ''} Numer ${i}.`, { receivedAt: r, ...(i >= 12 && i <= 14 ? { storedAt: sameInstant } : {}) }, { level: i % 2 ? 'high' : 'low' }),
        );
        for (const p of ps) await put([p, null]);
        // stored long before the days below (a store that has run for years, an import): the overdue
        // view, newest first, reads those stored after its bound apart from those stored before it;
        // one was received after it was stored
        const early: Array<[string | null, string]> = [
          [null, '2025-08-20T09:00:00.000Z'], ['2025-08-01', '2025-09-10T09:00:00.000Z'], ['2026-01-05', '2025-10-01T09:00:00.000Z'],
          [null, '2025-11-29T23:30:00.000Z'], ['2025-11-20', '2025-12-15T08:00:00.000Z'], ['2025-12-30T23:30:00Z', '2026-01-16T10:00:00.000Z'],
        ];
        for (const [i, [r, at]] of early.entries()) await put([petition(`e${i}`, `${LOCAL[i % LOCAL.length]!} Sprawa ${i}.`, { receivedAt: r, storedAt: at }, { level: i % 2 ? 'high' : 'low' }), null]);
        // petycja wielokrotna: members, a rejected one, one whose joint is answered
        const j1 = await ts.createJoint({ campaign_id: 'kmp-t', subject: 's', ordered_by: 'k', ordered_at: '2025-11-01', announced_on: '2025-11-01', waiting_end: '2025-11-30', deadline: '2026-02-28' });
        const j2 = await ts.createJoint({ campaign_id: 'kmp-t', subject: 's', ordered_by: 'k', ordered_at: '2025-12-01', announced_on: '2025-12-01', waiting_end: '2026-01-15', deadline: '2026-04-15' });
        for (const id of ['d03', 'd06', 't1']) await ts.setMember(j1, id, 'member', 'k');
        await ts.setMember(j1, 'd04', 'rejected', 'k');
        for (const id of ['d16', 'd19', 't5']) await ts.setMember(j2, id, 'member', 'k');
        await ts.setOutcome(j2, 'Rozpatrzona', 'k');
        // answered, answered and reopened, in progress
        for (const [id, status] of [['d00', 'rozpatrzona'], ['d05', 'przekazana'], ['d07', 'bez_rozpatrzenia'], ['d07', 'w_toku'], ['d09', 'w_toku'], ['d12', 'rozpatrzona'], ['d03', 'rozpatrzona']] as const) {
          await ts.addStatus({ petition_id: id, status, note: null, login: 'k', at: '2026-02-01' });
        }

        // the reference: every matching petition's standing, sorted in the process (as the inbox once did)
        const all = [...(await ts.datedRows({}, { order: 'received', limit: Infinity })), ...(await ts.datedRows({}, { order: 'received', limit: Infinity }, true))];
        const joints = await ts.allJointMembers();
        const statuses = await ts.allLatestStatus();
        const reference = async (f: { level?: 'high'; q?: string }, q: DeadlineQuery, day: string) => {
          const matching = new Set((await store.listPetitions({ ...f, limit: 1000, offset: 0 })).items.map((p) => p.id));
          let items = all.filter((r) => matching.has(r.id)).map((r) => {
            const joint = joints.get(r.id) ?? null;
            const status = statuses.get(r.id) ?? null;
            const deadline = deadlineOf(r, joint);
            return { r, deadline: deadline.date, overdue: isOverdue(deadline.date, day, (status !== null && CLOSED.has(status.status)) || Boolean(joint?.outcome)) };
          });
          if (q.overdue !== undefined) items = items.filter((i) => i.overdue === q.overdue);
          if (q.order === 'deadline') items.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.r.seq - b.r.seq));
          else items.sort((a, b) => (a.r.stored_at < b.r.stored_at ? 1 : a.r.stored_at > b.r.stored_at ? -1 : b.r.seq - a.r.seq));
          return items.map((i) => i.r.id);
        };
        expect(all).toHaveLength(33);
        let compared = 0;
        for (const day of ['2026-02-28', '2026-03-01', '2026-03-02', '2026-02-26', '2026-04-16']) {
          for (const f of [{}, { level: 'high' as const }, { q: 'latarnia' }]) {
            for (const q of [{ order: 'deadline' }, { order: 'deadline', overdue: true }, { order: 'deadline', overdue: false }, { order: 'newest', overdue: true }, { order: 'newest', overdue: false }] as DeadlineQuery[]) {
              const want = await reference(f, q, day);
              // pages of several sizes, read from the database a few rows at a time (a page's last
              // row then often shares its deadline with rows not read yet)
              for (const [limit, step] of [[5, 3], [1, 1], [4, 2]] as const) {
                const got: string[] = [];
                for (let offset = 0; offset < want.length + limit; offset += limit) {
                  const page = await listByDeadline(ts, { ...f, limit, offset }, q, day, step);
                  expect(page).toMatchObject({ total: want.length, total_exact: true, limit, offset });
                  got.push(...page.items.map((p) => p.id));
                }
                expect(got, `${day} ${JSON.stringify(f)} ${JSON.stringify(q)} ${limit}/${step}`).toEqual(want);
              }
              if (want.length) compared++;
            }
          }
        }
        expect(compared).toBeGreaterThan(60);
        // the fixture's month ends: 29 November + 3 months is 28 February, overdue from 1 March
        expect(await reference({}, { order: 'deadline', overdue: true }, '2026-02-28')).not.toContain('d04');
        expect(await reference({}, { order: 'deadline', overdue: true }, '2026-03-01')).toContain('d04');

        // totals capped like the other listings; a page at or past the cap is empty, not a wrong page
        const want = await reference({}, { order: 'deadline' }, '2026-03-01');
        const first = await listByDeadline(ts, { limit: 4, offset: 0, totalCap: 10 }, { order: 'deadline' }, '2026-03-01', 3);
        expect(first).toMatchObject({ total: 10, total_exact: false });
        expect(first.items.map((p) => p.id)).toEqual(want.slice(0, 4));
        expect((await listByDeadline(ts, { limit: 4, offset: 8, totalCap: 10 }, { order: 'deadline' }, '2026-03-01', 3)).items.map((p) => p.id)).toEqual(want.slice(8, 12));
        const past = await listByDeadline(ts, { limit: 4, offset: 10, totalCap: 10 }, { order: 'deadline' }, '2026-03-01', 3);
        expect(past).toMatchObject({ items: [], total: 10, total_exact: false, offset: 10 });
        expect((await listByDeadline(ts, { limit: 4, offset: 400 }, { order: 'deadline', overdue: true }, '2026-03-01', 3)).items).toEqual([]);
      });

      it("the start page lists this week's 50 soonest deadlines and counts them all, past ones and closed ones apart", async () => {
        // Wednesday 4 March 2026: deadlines from Monday 2 to Sunday 8 March, for petitions received
        // 2 to 8 December 2025, eight a day; one answered; those due on 2 and 3 March are past
        const received = Array.from({ length: 56 }, (_, i) => `2025-12-0${2 + (i % 7)}`);
        for (const [i, r] of received.entries()) await put([petition(`w${String(i).padStart(2, '0')}`, `${LOCAL[i % LOCAL.length]!} Sprawa ${i}.`, { receivedAt: r, subject: `Sprawa ${i}` }), null]);
        await store.track.addStatus({ petition_id: 'w06', status: 'rozpatrzona', note: null, login: 'k', at: '2026-01-10' });
        // received in October, but a member of a petycja wielokrotna whose deadline is 5 March
        await put([petition('j1', `${LOCAL[0]!} Wspólna.`, { receivedAt: '2025-10-01', subject: 'Wspólna' }), null]);
        const joint = await store.track.createJoint({ campaign_id: 'kmp-w', subject: 's', ordered_by: 'k', ordered_at: '2025-11-01', announced_on: '2025-11-01', waiting_end: '2025-12-05', deadline: '2026-03-05' });
        await store.track.setMember(joint, 'j1', 'member', 'k');
        const f = await startFigures(store, store.track, '2026-03-04');
        expect(f.dueTotal).toBe(56);
        expect(f.dueOpen).toBe(56 - 16);
        expect(f.due).toHaveLength(50);
        const want = [...received.map((r, i) => ({ id: `w${String(i).padStart(2, '0')}`, r })), { id: 'j1', r: '2025-12-05' }]
          .filter((p) => p.id !== 'w06')
          .sort((a, b) => a.r.localeCompare(b.r) || (a.id === 'j1' ? 1 : b.id === 'j1' ? -1 : a.id.localeCompare(b.id)))
          .slice(0, 50);
        expect(f.due.map((d) => d.id)).toEqual(want.map((p) => p.id));
        expect(f.due[0]).toEqual({ id: 'w00', subject: 'Sprawa 0', deadline: '2026-03-02', overdue: true });
        expect(f.due.at(-1)).toMatchObject({ deadline: '2026-03-08', overdue: false });
        expect(f.overdueTotal).toBe('16');
      });

      it('summaries in the order asked, unknown ids left out', async () => {
        const s = await store.track.summaries(['t5', 'nope', 't1']);
        expect(ids(s)).toEqual(['t5', 't1']);
        expect(s[0]).toMatchObject({ level: 'review', campaign: { id: 'kmp-t', size: 2 }, excerpt: TEMPLATE('Turek', 3).slice(0, 400) });
        expect(s[1]).toMatchObject({ subject: 'Oświetlenie', sender: { name: 'A', email: 'a@x.pl' }, track: 'petycje_masowe' });
        expect(await store.track.summaries([])).toEqual([]);
      });

      it('register rows: received (else stored) in [from, to), oldest first, with text and campaign', async () => {
        const ts = store.track;
        expect((await ts.rows()).map((r) => r.id)).toEqual(['t2', 't1', 't5', 't3', 't4']);
        expect((await ts.rows('2026-01-10', '2026-02-01')).map((r) => r.id)).toEqual(['t1', 't5']);
        expect((await ts.rows('2026-01-10', '2026-02-01T09:00:01Z')).map((r) => r.id)).toEqual(['t1', 't5', 't3']);
        expect((await ts.rows(undefined, '2026-01-06')).map((r) => r.id)).toEqual(['t2']);
        expect((await ts.rows('2026-01-10'))[0]).toEqual({
          id: 't1', received_at: '2026-01-10', stored_at: expect.any(String), subject: 'Oświetlenie', sender_name: 'A', sender_email: 'a@x.pl', text: TEMPLATE('Łask', 1), level: 'high', track: 'petycje_masowe', campaign_id: 'kmp-t',
        });
      });

      it('levels counted by date of receipt, member dates of campaigns, marks with levels', async () => {
        const ts = store.track;
        // two instants in UTC within one hour count together; an instant with an offset as written
        await put(
          [petition('t6', `${LOCAL[2]!} 6`, { receivedAt: '2026-01-21T10:15:00Z' }), null],
          [petition('t7', `${LOCAL[3]!} 7`, { receivedAt: '2026-01-21T10:59:59.999Z' }), null],
          [petition('t8', `${LOCAL[4]!} 8`, { receivedAt: '2026-01-21T10:30:00+01:00' }), null],
        );
        const counts = await ts.levelCounts('2026-01-10', '9999');
        const t4 = (await store.getPetition('t4'))!;
        expect(counts.sort((a, b) => a.at.localeCompare(b.at))).toEqual(
          [
            { at: '2026-01-10', level: 'high', n: 1 },
            { at: '2026-01-20', level: 'review', n: 1 },
            { at: '2026-01-21T10:00:00Z', level: 'low', n: 2 },
            { at: '2026-01-21T10:30:00+01:00', level: 'low', n: 1 },
            { at: '2026-02-01T09:00:00Z', level: 'low', n: 1 },
            { at: `${t4.stored_at.slice(0, 13)}:00:00Z`, level: 'low', n: 1 },
          ].sort((a, b) => a.at.localeCompare(b.at)),
        );
        // the end is left out, compared as text
        expect((await ts.levelCounts('2026-01-10', '2026-01-21')).map((c) => c.at).sort()).toEqual(['2026-01-10', '2026-01-20']);
        // the start page's weeks from these counts: the week of 19 January holds t5, t6, t7, t8
        const weeks = weeklyByLevel(counts, '2026-01-22', 2);
        expect(weeks).toEqual([{ week: '2026-01-12', high: 0, review: 0, low: 0 }, { week: '2026-01-19', high: 0, review: 1, low: 3 }]);
        expect((await ts.campaignMemberDates(['kmp-t', 'nope'])).get('kmp-t')).toEqual(['2026-01-10', '2026-01-20']);
        expect((await ts.campaignMemberDates(['nope'])).size).toBe(0);
        await store.addFeedback({ petition_id: 't1', label: 'regular', login: 'k', at: '2026-02-01T00:00:00Z' });
        await store.addFeedback({ petition_id: 't1', label: 'mass', login: 'k', at: '2026-02-02T00:00:00Z' });
        await store.addFeedback({ petition_id: 't3', label: 'regular', login: 'k', at: '2026-02-03T00:00:00Z' });
        const marks = await ts.marksWithLevels();
        expect(marks.map((m) => [m.petition_id, m.label, m.level]).sort()).toEqual([['t1', 'mass', 'high'], ['t3', 'regular', 'low']]);
      });
    });

    describe('the clearinghouse outbox (store.outbox)', () => {
      it('queues rows in order, removes delivered ones, keeps failed ones; a petition keeps its first report id', async () => {
        const o = store.outbox;
        expect(await o.pending()).toBe(0);
        expect(await o.next(10)).toEqual([]);
        await o.rememberReport('p1', 'rep-1');
        await o.rememberReport('p1', 'rep-other');
        expect(await o.reportIdOf('p1')).toBe('rep-1');
        expect(await o.reportIdOf('p2')).toBeNull();
        await o.enqueue('report', 'rep-1', '{"id":"rep-1"}', '2026-03-01T00:00:00Z');
        await o.enqueue('mark', 'rep-1', '{"mark":"mass"}', '2026-03-01T00:00:01Z');
        await o.enqueue('report', 'rep-2', '{"id":"rep-2"}', '2026-03-01T00:00:02Z');
        expect(await o.pending()).toBe(3);
        const rows = await o.next(2);
        expect(rows.map((r) => [r.kind, r.report_id, r.payload])).toEqual([['report', 'rep-1', '{"id":"rep-1"}'], ['mark', 'rep-1', '{"mark":"mass"}']]);
        expect(rows[1]!.seq).toBeGreaterThan(rows[0]!.seq);
        await o.failed(rows.map((r) => r.seq), 'the clearinghouse is unreachable');
        expect(await o.pending()).toBe(3);
        await o.remove([rows[0]!.seq]);
        expect((await o.next(10)).map((r) => r.report_id)).toEqual(['rep-1', 'rep-2']);
        await o.remove([]);
        await o.remove((await o.next(10)).map((r) => r.seq));
        expect(await o.pending()).toBe(0);
      });

      it("a transaction's outbox rows commit and roll back with it", async () => {
        await store.writeTransaction(async (tx) => {
          await tx.outbox.rememberReport('p1', 'rep-1');
          await tx.outbox.enqueue('report', 'rep-1', '{}', '2026-03-01');
        });
        await expect(
          store.writeTransaction(async (tx) => {
            await tx.outbox.rememberReport('p2', 'rep-2');
            await tx.outbox.enqueue('report', 'rep-2', '{}', '2026-03-01');
            throw new Error('rolled back');
          }),
        ).rejects.toThrow();
        expect(await store.outbox.pending()).toBe(1);
        expect(await store.outbox.reportIdOf('p2')).toBeNull();
      });

      it('refuse moves rows out of the queue into the refused rows, with status and problem; others stay queued in order', async () => {
        const o = store.outbox;
        expect(await o.refused()).toBe(0);
        expect(await o.listRefused(10)).toEqual([]);
        await o.enqueue('report', 'rep-1', '{"id":"rep-1"}', '2026-03-01T00:00:00Z');
        await o.enqueue('report', 'rep-2', '{"id":"rep-2"}', '2026-03-01T00:00:01Z');
        await o.enqueue('mark', 'rep-1', '{"mark":"mass"}', '2026-03-01T00:00:02Z');
        await o.enqueue('report', 'rep-3', '{"id":"rep-3"}', '2026-03-01T00:00:03Z');
        const [r1, r2, m1, r3] = await o.next(10);
        await o.failed([r2!.seq], 'the clearinghouse answered 400');
        await o.refuse([r2!.seq], 'the clearinghouse answered 400: reports.0.signature: signature must be base64', 400, '2026-03-02T00:00:00Z');
        await o.refuse([m1!.seq, 987654], 'the clearinghouse answered 422: mark', 422, '2026-03-02T00:00:01Z');
        expect(await o.pending()).toBe(2);
        expect((await o.next(10)).map((r) => r.seq)).toEqual([r1!.seq, r3!.seq]);
        expect(await o.refused()).toBe(2);
        const refused = await o.listRefused(10);
        expect(refused.map(({ seq: _seq, ...rest }) => rest)).toEqual([
          { kind: 'report', report_id: 'rep-2', payload: '{"id":"rep-2"}', created_at: '2026-03-01T00:00:01Z', refused_at: '2026-03-02T00:00:00Z', http_status: 400, problem: 'the clearinghouse answered 400: reports.0.signature: signature must be base64' },
          { kind: 'mark', report_id: 'rep-1', payload: '{"mark":"mass"}', created_at: '2026-03-01T00:00:02Z', refused_at: '2026-03-02T00:00:01Z', http_status: 422, problem: 'the clearinghouse answered 422: mark' },
        ]);
        expect(refused[1]!.seq).toBeGreaterThan(refused[0]!.seq);
        expect(await o.listRefused(1)).toHaveLength(1);
        // refusing a row no longer queued changes nothing
        await o.refuse([r2!.seq], 'again', 400, '2026-03-03T00:00:00Z');
        await o.refuse([], 'none', 400, '2026-03-03T00:00:00Z');
        expect(await o.refused()).toBe(2);
      });

      it('refuse inside a transaction commits and rolls back with it: a row is queued or refused, never both, never neither', async () => {
        await store.outbox.enqueue('report', 'rep-1', '{}', '2026-03-01');
        const [row] = await store.outbox.next(1);
        await expect(
          store.writeTransaction(async (tx) => {
            await tx.outbox.refuse([row!.seq], 'the clearinghouse answered 400', 400, '2026-03-02');
            expect(await tx.outbox.pending()).toBe(0);
            expect(await tx.outbox.refused()).toBe(1);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect([await store.outbox.pending(), await store.outbox.refused()]).toEqual([1, 0]);
        await store.writeTransaction((tx) => tx.outbox.refuse([row!.seq], 'the clearinghouse answered 400', 400, '2026-03-02'));
        expect([await store.outbox.pending(), await store.outbox.refused()]).toEqual([0, 1]);
      });
    });

    describe('the store itself', () => {
      it('a secret is made once and is the same on every call; different names differ', async () => {
        const [a, b] = await Promise.all([store.secret('login-csrf'), store.secret('login-csrf')]);
        expect(a).toBe(b);
        expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await store.secret('login-csrf')).toBe(a);
        expect(await store.secret('other')).not.toBe(a);
      });

      it('names its kind and where it is; counts petitions and its size', async () => {
        expect(['sqlite', 'postgres']).toContain(store.kind);
        expect(store.where).toBeTruthy();
        expect(store.where).not.toMatch(/:[^/@]*@/); // never a password
        await put([petition('s1', LOCAL[0]!), null], [petition('s2', LOCAL[1]!), null]);
        const s = await store.stats();
        expect(s.petitions).toBe(2);
        expect(s.bytes).toBeGreaterThan(0);
      });
    });
  });
}
