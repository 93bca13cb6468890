/**
 * POSIX shell-style word splitting as Python's `shlex.split` does it (pip splits option lines
 * this way): whitespace separates words, quotes group, backslash escapes outside single quotes.
 * Returns undefined when a quote is left open.
 */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? "";
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1] ?? "")) word += text[++i];
      else word += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "'" || char === '"') quote = char;
    else if (char === "\\" && i + 1 < text.length) word += text[++i];
    else word += char;
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}
