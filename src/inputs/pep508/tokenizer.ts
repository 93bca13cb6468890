/**
 * Context-sensitive tokenizer for PEP 508: the parser asks "is a token of kind X next?", so the
 * same characters can be a URL in one place and a name in another (as in `packaging`).
 */

/** Raised for any syntax error; `column` is 1-based within the parsed text. */
export class Pep508SyntaxError extends Error {
  readonly column: number;

  constructor(message: string, column: number) {
    super(message);
    this.name = "Pep508SyntaxError";
    this.column = column;
  }
}

const VERSION_OPERATOR = String.raw`(?:===|==|~=|!=|<=|>=|<|>)`;

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: new RegExp(VERSION_OPERATOR, "y"),
  OR: /or\b/y,
  AND: /and\b/y,
  IN: /in\b/y,
  NOT: /not\b/y,
  VARIABLE:
    /(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extra)\b/y,
  // The version part is validated separately, so that errors can say what is wrong with it.
  SPECIFIER: new RegExp(`${VERSION_OPERATOR}[ \\t]*[^\\s,;()\\[\\]]*`, "y"),
  AT: /@/y,
  URL: /[^ \t]+/y,
  // Any Unicode letter or digit is accepted so that a homoglyph name (Cyrillic `е` in `rеquests`)
  // reaches the static name check, which explains it precisely, instead of failing here.
  IDENTIFIER: /[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}\p{Cf}._-]*[\p{L}\p{N}\p{M}\p{Cf}])?/uy,
  WS: /[ \t]+/y,
} as const;

export type TokenKind = keyof typeof RULES | "END";

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the source. */
  position: number;
}

export class Tokenizer {
  readonly source: string;
  position = 0;
  private pending: Token | undefined;

  constructor(source: string) {
    this.source = source;
  }

  /** True if a token of `kind` starts at the current position; remembers it for read(). */
  check(kind: TokenKind): boolean {
    if (this.pending && this.pending.kind === kind) return true;
    this.pending = undefined;
    if (kind === "END") {
      if (this.position < this.source.length) return false;
      this.pending = { kind, text: "", position: this.position };
      return true;
    }
    const rule = RULES[kind];
    rule.lastIndex = this.position;
    const match = rule.exec(this.source);
    if (!match || match[0].length === 0) return false;
    this.pending = { kind, text: match[0], position: this.position };
    return true;
  }

  /** Consumes the token found by the last successful check(). */
  read(): Token {
    const token = this.pending;
    if (!token) throw new Error("Tokenizer.read() without a successful check()");
    this.position = token.position + token.text.length;
    this.pending = undefined;
    return token;
  }

  /** Consumes a token of `kind` if there is one. */
  consume(kind: TokenKind): boolean {
    if (!this.check(kind)) return false;
    this.read();
    return true;
  }

  expect(kind: TokenKind, expected: string): Token {
    if (!this.check(kind)) this.fail(`expected ${expected}`);
    return this.read();
  }

  /** Throws at `position`; `sayFound` adds what is there instead (for "expected …" messages). */
  fail(message: string, position: number = this.position, sayFound: boolean = true): never {
    const found = position < this.source.length ? ` but found '${this.source.slice(position, position + 12)}'` : " but the text ended";
    throw new Pep508SyntaxError(`${message}${sayFound ? found : ""}`, position + 1);
  }
}
