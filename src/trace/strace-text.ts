/**
 * Low-level scanners over one line of strace output. They work on indices into the line so the
 * hot path allocates nothing but the substrings an event keeps.
 */

const QUOTE = 34; // "
const BACKSLASH = 92;
const LT = 60;
const GT = 62;
const SLASH = 47;
const STAR = 42;
const DOT = 46;

const utf8 = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

/** Index just past the closing quote of the string literal that opens at `start`, or -1. */
export function skipString(s: string, start: number): number {
  const n = s.length;
  for (let i = start + 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/**
 * Index just past the `>` that closes the `-yy` annotation opening at `start` (a `<`). Paths
 * inside have `<` and `>` escaped as octal; device annotations nest (`</dev/null<char 1:3>>`);
 * socket annotations contain a literal arrow (`<TCP:[1.2.3.4:5->6.7.8.9:443]>`).
 */
export function skipAnnotation(s: string, start: number): number {
  const n = s.length;
  const isPath = s.charCodeAt(start + 1) === SLASH;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === LT) depth++;
    else if (c === GT && (isPath || s.charCodeAt(i - 1) !== 45) && --depth === 0) return i + 1;
  }
  return -1;
}

/** Decodes the body of a C-style strace string (`\"`, `\\`, `\n`, `\xNN`, octal) as UTF-8. */
function decodeEscapes(s: string, start: number, end: number): string {
  let plain = true;
  for (let j = start; j < end; j++) {
    if (s.charCodeAt(j) === BACKSLASH) {
      plain = false;
      break;
    }
  }
  if (plain) return s.slice(start, end);
  const bytes: number[] = [];
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== BACKSLASH) {
      if (c < 0x80) bytes.push(c);
      else for (const b of utf8Encoder.encode(s[i] ?? "")) bytes.push(b);
      i++;
      continue;
    }
    const e = s.charCodeAt(i + 1);
    i += 2;
    switch (e) {
      case 110: bytes.push(10); break; // n
      case 116: bytes.push(9); break; // t
      case 114: bytes.push(13); break; // r
      case 118: bytes.push(11); break; // v
      case 102: bytes.push(12); break; // f
      case 97: bytes.push(7); break; // a
      case 98: bytes.push(8); break; // b
      case 101: bytes.push(27); break; // e
      case 120: { // xNN
        const hex = Number.parseInt(s.slice(i, i + 2), 16);
        if (Number.isNaN(hex)) bytes.push(120);
        else { bytes.push(hex); i += 2; }
        break;
      }
      default:
        if (e >= 48 && e <= 55) {
          // strace pads octal escapes to three digits whenever a digit follows, so greedy is exact.
          let value = e - 48;
          let digits = 1;
          while (digits < 3 && i < end) {
            const d = s.charCodeAt(i);
            if (d < 48 || d > 55) break;
            value = value * 8 + (d - 48);
            i++;
            digits++;
          }
          bytes.push(value & 0xff);
        } else {
          bytes.push(e);
        }
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

/** The decoded string literal that opens at `start` (a `"`), or undefined if there is none. */
export function readString(s: string, start: number, end: number): string | undefined {
  if (s.charCodeAt(start) !== QUOTE) return undefined;
  let escaped = false;
  for (let i = start + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) {
      escaped = true;
      i++;
    } else if (c === QUOTE) {
      return escaped ? decodeEscapes(s, start + 1, i) : s.slice(start + 1, i);
    }
  }
  return undefined;
}

/**
 * The path inside a `-yy` annotation `<…>` starting at `start`, or undefined when the annotation
 * is not a path (sockets, pipes, anon inodes).
 */
export function readAnnotationPath(s: string, start: number): string | undefined {
  if (s.charCodeAt(start) !== LT || s.charCodeAt(start + 1) !== SLASH) return undefined;
  let end = start + 1;
  const n = s.length;
  while (end < n) {
    const c = s.charCodeAt(end);
    if (c === GT || c === LT) break;
    end++;
  }
  let path = decodeEscapes(s, start + 1, end);
  if (path.endsWith(" (deleted)")) path = path.slice(0, -10);
  return path;
}

/** Position of the annotation after an fd or AT_FDCWD argument, or -1. */
export function annotationStart(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === LT) return i;
    if (c === 32 || c === 44) return -1;
  }
  return -1;
}

/**
 * Splits the argument list that starts after `(` at `open` into top-level arguments, writing
 * [start, end) pairs into `bounds`. Returns the index of the closing `)` or -1 when the line is
 * cut short. `count` receives the number of arguments.
 */
export function scanArgs(s: string, open: number, bounds: Int32Array, count: { n: number }): number {
  const n = s.length;
  let depth = 0;
  let argStart = open;
  let args = 0;
  const max = bounds.length >> 1;
  for (let i = open; i < n; i++) {
    const c = s.charCodeAt(i);
    // One table load sends the common characters straight to the next iteration.
    const k = c < 128 ? CHAR_CLASS[c] : PLAIN;
    if (k === PLAIN) continue;
    switch (k) {
      case QUOTED:
        for (i++; i < n; i++) {
          const q = s.charCodeAt(i);
          if (q === BACKSLASH) i++;
          else if (q === QUOTE) break;
        }
        if (i >= n) return -1;
        break;
      case ANGLE: {
        const prev = s.charCodeAt(i - 1);
        // Only fd annotations open with `<`: right after the fd number or AT_FDCWD.
        if ((prev >= 48 && prev <= 57) || prev === 68) {
          const next = skipAnnotation(s, i);
          if (next === -1) return -1;
          i = next - 1;
        }
        break;
      }
      case COMMENT:
        if (s.charCodeAt(i + 1) === STAR) {
          const close = s.indexOf("*/", i + 2);
          if (close === -1) return -1;
          i = close + 1;
        }
        break;
      case OPEN:
        depth++;
        break;
      case CLOSE:
        if (depth > 0) {
          depth--;
          break;
        }
        if (c !== 41) return -1;
        if (i > argStart && args < max) {
          bounds[args * 2] = argStart;
          bounds[args * 2 + 1] = i;
          args++;
        }
        count.n = args;
        return i;
      case COMMA:
        if (depth === 0) {
          if (args < max) {
            bounds[args * 2] = argStart;
            bounds[args * 2 + 1] = i;
            args++;
          }
          if (s.charCodeAt(i + 1) === 32) i++;
          argStart = i + 1;
        }
        break;
    }
  }
  return -1;
}

const PLAIN = 0;
const QUOTED = 1;
const ANGLE = 2;
const COMMENT = 3;
const OPEN = 4;
const CLOSE = 5;
const COMMA = 6;
const CHAR_CLASS = new Uint8Array(128);
CHAR_CLASS[QUOTE] = QUOTED;
CHAR_CLASS[LT] = ANGLE;
CHAR_CLASS[SLASH] = COMMENT;
for (const c of [40, 91, 123]) CHAR_CLASS[c] = OPEN;
for (const c of [41, 93, 125]) CHAR_CLASS[c] = CLOSE;
CHAR_CLASS[44] = COMMA;

/** Parses the decimal integer at `start`, or NaN. */
export function readInt(s: string, start: number, end: number): number {
  let value = 0;
  let i = start;
  const negative = s.charCodeAt(i) === 45;
  if (negative) i++;
  const first = i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === first) return Number.NaN;
  return negative ? -value : value;
}

/** Lexically normalises an absolute path (`.`/`..`/`//`); the fast path returns it unchanged. */
function normalizePath(path: string): string {
  if (isNormal(path)) return path;
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

/** True when `path` has no empty, `.` or `..` segment and no trailing slash. */
function isNormal(path: string): boolean {
  const n = path.length;
  if (n > 1 && path.charCodeAt(n - 1) === SLASH) return false;
  let at = path.indexOf("/");
  while (at !== -1 && at < n - 1) {
    const next = path.charCodeAt(at + 1);
    if (next === SLASH) return false;
    if (next === DOT) {
      const after = at + 2 < n ? path.charCodeAt(at + 2) : SLASH;
      if (after === SLASH) return false;
      if (after === DOT && (at + 3 >= n || path.charCodeAt(at + 3) === SLASH)) return false;
    }
    at = path.indexOf("/", at + 1);
  }
  return true;
}

/** Resolves `path` against the directory `base` (absolute) and normalises it. */
export function resolvePath(base: string | undefined, path: string): string {
  if (path.charCodeAt(0) === SLASH) return normalizePath(path);
  if (base === undefined) return path;
  if (path === "" || path === ".") return normalizePath(base);
  return normalizePath(base.endsWith("/") ? `${base}${path}` : `${base}/${path}`);
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}
