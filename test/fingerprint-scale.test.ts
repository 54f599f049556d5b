import { describe, expect, it } from 'vitest';
import { normalise } from '../src/normalise/normalise.js';
import { fingerprint, isNearDuplicate, isNearDuplicateAtScale, SLOTS, type Fingerprint } from '../src/signals/fingerprint/minhash.js';
import { verifiedClusters } from '../src/clearinghouse/clusters.js';

/** Two fingerprints of these sizes whose signatures agree on `same` of the SLOTS slots. */
function pair(same: number, shinglesA: number, shinglesB: number): [Fingerprint, Fingerprint] {
  const a = new Uint32Array(SLOTS);
  const b = new Uint32Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    a[i] = i + 1;
    b[i] = i < same ? i + 1 : 1_000_000 + i;
  }
  return [
    { signature: a, shingles: shinglesA },
    { signature: b, shingles: shinglesB },
  ];
}

describe('near-duplicates against a very large store', () => {
  it('a short text needs more than the bare threshold: its estimate is noisier', () => {
    // Jaccard estimated 0.3125 between two 44-shingle texts: enough at one office, not at a million reports
    const [a, b] = pair(80, 44, 44);
    expect(isNearDuplicate(a, b)).toBe(true);
    expect(isNearDuplicateAtScale(a, b)).toBe(false);
    expect(verifiedClusters(a, [{ cluster: 7, signature: b.signature, shingles: b.shingles }])).toEqual([]);
  });

  it('long texts keep the threshold, and copies of a short text still match', () => {
    const [la, lb] = pair(80, 3000, 3000);
    expect(isNearDuplicateAtScale(la, lb)).toBe(true);
    const [sa, sb] = pair(160, 44, 44);
    expect(isNearDuplicateAtScale(sa, sb)).toBe(true);
    expect(verifiedClusters(sa, [{ cluster: 7, signature: sb.signature, shingles: sb.shingles }])).toEqual([7]);
  });

  it('two offices’ copies of a short petition, each with its own header and date, match', () => {
    const body =
      'Wnosimy o przyjęcie uchwały w sprawie ochrony powietrza oraz o przedstawienie harmonogramu wymiany źródeł ciepła w budynkach gminnych. ' +
      'Prosimy o informację, jakie środki zaplanowano na ten cel w budżecie na przyszły rok i kto odpowiada za realizację programu. ' +
      'Uzasadnienie: jakość powietrza w sezonie grzewczym od lat przekracza normy, a mieszkańcy nie wiedzą, jakie działania podjęto.';
    const copy = (office: string, day: number) => fingerprint(normalise(`${office}, ${day}.03.2024\n\nSzanowni Państwo,\n\n${body}\n\nZ poważaniem\nInicjatywa Czyste Powietrze`).folded);
    const a = copy('Wójt Gminy Zalesie', 4);
    const b = copy('Burmistrz Miasta Kutno', 11);
    expect(Math.min(a.shingles, b.shingles)).toBeLessThan(80);
    expect(isNearDuplicateAtScale(a, b)).toBe(true);
  });
});
