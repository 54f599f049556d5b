import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import RE2 from 're2';
import { parse as parseYaml } from 'yaml';
import { createHash } from 'node:crypto';
import { foldUnit } from '../../normalise/normalise.js';
import { buildLiteralIndex, MIN_LITERAL, type LiteralIndex } from './candidate-starts.js';
import { innerLiterals, leadingLiterals, lengthBound, type LengthBound } from './leading-literals.js';
import { profileLists, type OfficeProfile } from './office-profile.js';
import { RuleFileSchema, type RuleFile, type RuleSpec } from './schema.js';

export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../../../src/signals/rules/rules.yaml', import.meta.url));

export interface CompiledRule extends Omit<RuleSpec, 'patterns' | 'exclude' | 'not_preceded_by'> {
  /**
   * All of the rule's patterns as one RE2 alternation (linear-time matching); null when a pattern
   * names an empty list (an office-profile rule without a profile): the rule then never fires.
   */
  regex: RE2 | null;
  /**
   * What every match begins with, when the patterns say (leading-literals.ts); else what every
   * match contains within `lead` bytes of its start, when they say that; null otherwise.
   */
  literals: string[] | null;
  /** How far into a match its literal can begin: null when the literals begin every match. */
  lead: LengthBound | null;
  /**
   * The same expression, sticky (it matches only where `lastIndex` points): it tries the offsets
   * where the literals begin one by one (with `literals` and `reach`), and it reads where a match
   * found by a search ends (match-rules.ts). Null when `regex` is.
   */
  anchored: RE2 | null;
  reach: LengthBound | null;
  exclude: RE2 | null;
  /** the character before a match must not match this (one character, anchored) */
  notPrecededBy: RE2 | null;
  source: string[];
}

export interface RuleSet {
  version: number;
  bias: number;
  rules: CompiledRule[];
  /** The rules' leading literals, looked for in one pass (candidate-starts.ts). */
  literalIndex: LiteralIndex;
  /** A digest of the rules, for model cards and /health. */
  fingerprint: string;
  /** the office profile's name, when one fills the office_* lists */
  office: string | null;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
const escapeLiteral = (s: string) => s.replace(REGEX_SPECIAL, '\\$&');

/** Pattern text is written with Polish letters for readability; it matches the folded text. */
function foldPattern(p: string): string {
  let out = '';
  for (const ch of p) {
    const code = ch.charCodeAt(0);
    out += code < 0x80 ? ch : escapeLiteral(foldUnit(code));
  }
  return out;
}

function expandLists(p: string, lists: Record<string, string[]>, where: string): string {
  return p.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    const list = lists[name];
    if (!list) throw new Error(`${where}: unknown list {{${name}}}`);
    // a list item is a literal, except that "*" stands for any word ending (stems of inflected names)
    return `(?:${list.map((l) => escapeLiteral(foldPattern(l.toLowerCase())).replace(/\\\*/g, '\\w*')).join('|')})`;
  });
}

const namesEmptyList = (patterns: string[], lists: Record<string, string[]>) =>
  patterns.some((p) => [...p.matchAll(/\{\{([a-z_]+)\}\}/g)].some(([, name]) => lists[name!]?.length === 0));

function compile(patterns: string[], lists: Record<string, string[]>, where: string): RE2 {
  const parts = patterns.map((p, i) => {
    const src = foldPattern(expandLists(p, lists, `${where} pattern ${i + 1}`));
    try {
      new RE2(src);
    } catch (e) {
      throw new Error(`${where} pattern ${i + 1} is not a valid RE2 expression: ${(e as Error).message}`);
    }
    return `(?:${src})`;
  });
  return new RE2(parts.join('|'), 'g');
}

/** A one-character class (`not_preceded_by`), anchored; an error names the rule. */
function compileClass(p: string, where: string): RE2 {
  try {
    return new RE2(`^(?:${foldPattern(p)})$`);
  } catch (e) {
    throw new Error(`${where} not_preceded_by is not a valid RE2 expression: ${(e as Error).message}`);
  }
}

/**
 * Compiles a rules file. `profile` fills the office's lists (`office_localities`,
 * `office_postal_codes`) for the rules that need to know the office; the fingerprint names the
 * rules file alone, so a model trained without a profile runs with one.
 */
export function compileRules(file: RuleFile, profile: OfficeProfile | null = null): RuleSet {
  const lists = profile ? { ...file.lists, ...profileLists(profile) } : file.lists;
  const rules = file.rules.map((r): CompiledRule => {
    const where = `rule ${r.id}`;
    const off = namesEmptyList([...r.patterns, ...r.exclude], lists);
    const regex = off ? null : compile(r.patterns, lists, where);
    const leading = regex ? leadingLiterals(regex.source) : null;
    // leading literals too short to look for (candidate-starts.ts) leave the inner ones to try
    const inner = regex && !leading?.every((l) => l.length >= MIN_LITERAL) ? innerLiterals(regex.source, MIN_LITERAL) : null;
    // the tries at offsets need the match to begin at a literal: a rule with inner literals searches from them
    const reach = leading && !inner ? lengthBound(regex!.source) : null;
    return {
      ...r,
      regex,
      literals: inner?.literals ?? leading,
      lead: inner?.lead ?? null,
      anchored: regex ? new RE2(regex.source, 'y') : null,
      reach,
      exclude: r.exclude.length && !off ? compile(r.exclude, lists, `${where} exclude`) : null,
      notPrecededBy: r.not_preceded_by ? compileClass(r.not_preceded_by, where) : null,
      source: r.patterns,
    };
  });
  const fingerprint = createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 12);
  const literalIndex = buildLiteralIndex(rules.map((r) => r.literals));
  return { version: file.version, bias: file.bias, rules, literalIndex, fingerprint, office: profile?.name ?? null };
}

/** Parses and validates a rules file; every error names the path inside the file. */
export function parseRules(text: string, origin = 'rules', profile: OfficeProfile | null = null): RuleSet {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new Error(`${origin}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = RuleFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new Error(`${origin}: ${path}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : ''}`);
  }
  return compileRules(parsed.data, profile);
}

export function loadRules(path = DEFAULT_RULES_FILE, profile: OfficeProfile | null = null): RuleSet {
  return parseRules(readFileSync(path, 'utf8'), path, profile);
}
