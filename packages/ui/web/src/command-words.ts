/**
 * Splits a typed command into argv like a shell would for plain words and
 * quotes ("a b" or 'a b' stay one word); no variables, globs or escapes
 * beyond a backslash before a quote. The inverse, for showing a command.
 */
export function commandWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && text[i + 1] === quote) word += text[++i];
      else if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export function commandText(argv: string[]): string {
  return argv.map((w) => (w === '' || /[\s"']/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w)).join(' ');
}
