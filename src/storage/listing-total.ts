/**
 * How many petitions a listing says it has. Counting every match made a listing's cost grow with
 * the store (at 1 000 000 petitions a frequent word, or the unfiltered inbox, spent hundreds of
 * milliseconds on its COUNT alone), for a number nobody reads past a few thousand. A listing counts
 * at most `cap + 1` matching rows (`SELECT COUNT(*) FROM (SELECT 1 … LIMIT cap + 1)`): up to the
 * cap the total is exact; beyond it the total is the cap, marked not exact ("more than 10 000").
 */
export const DEFAULT_TOTAL_CAP = 10_000;

export interface ListingTotal {
  /** the number of matches, or the cap when there are more */
  total: number;
  /** false: more than `total` match */
  total_exact: boolean;
}

/** The cap a listing counts to: the caller's, else the default. */
export function totalCap(cap: number | undefined): number {
  if (cap === undefined) return DEFAULT_TOTAL_CAP;
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`totalCap must be a whole number of at least 1, not ${cap}`);
  return cap;
}

/** The rows LIMIT-ed to this many are enough to tell whether the total is over the cap. */
export const countLimit = (cap: number): number => cap + 1;

/** The total from `counted` rows (counted with LIMIT cap + 1, plus any match counted apart). */
export function cappedTotal(counted: number, cap: number): ListingTotal {
  return counted > cap ? { total: cap, total_exact: false } : { total: counted, total_exact: true };
}
