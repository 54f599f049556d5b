import type { Reason } from '../../decision/result.js';
import type { Candidate } from '../../storage/store.js';
import { compare, isNearDuplicate, type Fingerprint, type Similarity } from '../fingerprint/minhash.js';

export interface TemplateMatch {
  candidate: Candidate;
  similarity: Similarity;
}

/** The most similar verified near-duplicate among the LSH candidates, or null. */
export function bestMatch(fp: Fingerprint, candidates: readonly Candidate[], selfId?: string): TemplateMatch | null {
  let best: TemplateMatch | null = null;
  for (const c of candidates) {
    if (c.kind === 'petition' && c.id === selfId) continue;
    const s = compare(fp, c.fingerprint);
    if (!isNearDuplicate(fp, c.fingerprint, s)) continue;
    if (!best || s.similarity > best.similarity.similarity) best = { candidate: c, similarity: s };
  }
  return best;
}

/** Log-odds a local campaign of `size` petitions adds: grows with the logarithm of the size, capped. */
export function campaignContribution(size: number): number {
  return Math.min(4, 0.8 + 0.9 * Math.log(Math.max(size, 2)));
}
export const KNOWN_MASS_CONTRIBUTION = 3.5;

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The template reason. A campaign labelled `regular` — residents of many towns reusing one text
 * found on the internet — is reported but adds nothing: a shared template alone is not mass mailing.
 */
export function templateReason(match: TemplateMatch, campaignId: string | null, size: number): Reason {
  const { candidate, similarity } = match;
  const c = candidate.campaign;
  const sim = Math.round(similarity.similarity * 1000) / 1000;
  const neighbour = campaignId ?? candidate.id;
  const base = { signal: 'template' as const, trait: 'mass_mailing' as const, evidence: [], similarity: sim, neighbour };
  if (c?.label === 'regular') {
    return {
      ...base,
      id: c.id,
      contribution: 0,
      description: `Tekst zgodny (${pct(sim)}) ze znanym szablonem petycji mieszkańców${c.family ? ` (${c.family})` : ''} — wspólny szablon sam nie świadczy o masowej wysyłce`,
    };
  }
  if (c?.source === 'known' && c.label === 'mass') {
    return {
      ...base,
      id: c.id,
      contribution: KNOWN_MASS_CONTRIBUTION,
      description: `Tekst zgodny (${pct(sim)}) ze znaną kampanią masową${c.family ? ` „${c.family}”` : ''}${c.sender ? ` (nadawca: ${c.sender})` : ''}`,
    };
  }
  return {
    ...base,
    id: campaignId ?? `petition:${candidate.id}`,
    contribution: Math.round(campaignContribution(size) * 1000) / 1000,
    description: `Ten sam szablon co ${size - 1} ${size - 1 === 1 ? 'inna petycja' : 'inne petycje'} w bazie (podobieństwo ${pct(sim)})`,
  };
}
