/**
 * W3's words, the same on both sides without sharing a file: word i has
 * 3 + (7i mod 10) characters, character t of it is (31i + 17t) mod vocab,
 * and its class is i mod classes. The timing depends on the lengths, not
 * on the letters.
 */
export function wordLength(i: number): number {
  return 3 + ((7 * i) % 10);
}

export function wordChars(i: number, length: number, vocab: number): number[] {
  return Array.from({ length }, (_, t) => (31 * i + 17 * t) % vocab);
}
