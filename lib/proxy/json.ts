/**
 * A strict JSON parser for request bodies the proxy forwards to Docker.
 *
 * Why not JSON.parse: it silently keeps the last of two duplicate keys, while a policy check
 * might have looked at the first; and Docker's Go decoder matches keys case-insensitively,
 * so `{"Privileged":false,"privileged":true}` is a duplicate to Docker even though the two
 * spellings differ. This parser refuses any key that repeats under ASCII case folding, refuses
 * non-ASCII keys (Go folds a few Unicode letters onto ASCII ones, e.g. U+017F onto "s"), lone
 * surrogates, and anything RFC 8259 does not allow. Objects are built without a prototype so a
 * "__proto__" key is just an (unknown, later refused) key.
 */
import { refuse } from './refusal';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

const MAX_DEPTH = 32;

/** The key Docker's decoder would match: ASCII case folded. Non-ASCII keys never get here. */
export function foldKey(key: string): string {
  return key.toLowerCase();
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): JsonValue {
    this.skipWhitespace();
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the JSON value');
    return value;
  }

  private fail(what: string): never {
    throw refuse(`invalid JSON body: ${what} at offset ${this.pos}`);
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'unexpected end' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('invalid literal');
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) this.fail('invalid number');
    const n = Number(match[0]);
    if (!Number.isFinite(n)) this.fail('number out of range');
    this.pos += match[0].length;
    return n;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) {
        this.pos++;
        break;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        out += this.escape();
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = this.text.charCodeAt(this.pos + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) this.fail('lone surrogate in string');
        out += this.text.slice(this.pos, this.pos + 2);
        this.pos += 2;
        continue;
      }
      out += this.text[this.pos];
      this.pos++;
    }
    return out;
  }

  private escape(): string {
    const e = this.text[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const unit = this.hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone surrogate escape');
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (this.text[this.pos] !== '\\' || this.text[this.pos + 1] !== 'u') this.fail('lone surrogate escape');
          this.pos += 2;
          const low = this.hex4();
          if (!(low >= 0xdc00 && low <= 0xdfff)) this.fail('lone surrogate escape');
          return String.fromCharCode(unit, low);
        }
        return String.fromCharCode(unit);
      }
      default:
        return this.fail('invalid escape');
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape');
    this.pos += 4;
    return parseInt(digits, 16);
  }

  private array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ] in array');
    }
  }

  private object(depth: number): JsonObject {
    this.pos++;
    const out = Object.create(null) as JsonObject;
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const keyAt = this.pos;
      const key = this.string();
      if (!/^[\x20-\x7e]*$/.test(key)) {
        this.pos = keyAt;
        this.fail(`key ${JSON.stringify(key)} has characters outside printable ASCII`);
      }
      const folded = foldKey(key);
      if (seen.has(folded)) {
        this.pos = keyAt;
        this.fail(`duplicate key ${JSON.stringify(key)} (Docker matches keys case-insensitively)`);
      }
      seen.add(folded);
      this.skipWhitespace();
      if (this.text[this.pos++] !== ':') this.fail('expected : after key');
      this.skipWhitespace();
      out[key] = this.value(depth + 1);
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or } in object');
    }
  }
}

/** Parses JSON text strictly; throws a "forbidden" SickbayError saying what is wrong. */
export function parseStrictJson(text: string): JsonValue {
  if (text.charCodeAt(0) === 0xfeff) throw refuse('invalid JSON body: byte order mark');
  return new Parser(text).parse();
}
