/**
 * zod helpers for Docker request bodies. Docker's decoder matches keys case-insensitively, so
 * `ciObject` renames keys to their canonical spelling before a strict (unknown-key-refusing)
 * object check; the strict parser (json.ts) has already refused keys that repeat under case
 * folding. `zero` accepts only a Go zero value: the CLI sends every field, mostly empty, and a
 * field that must stay off is "off" exactly when Go would decode it to its zero value.
 */
import { z } from 'zod';
import { foldKey, isJsonObject, type JsonValue } from './json';
import { refuse } from './refusal';

export function ciObject<S extends z.ZodRawShape>(shape: S) {
  const canonical = new Map(Object.keys(shape).map((k) => [foldKey(k), k]));
  return z.preprocess((input) => {
    if (!isJsonObject(input)) return input;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      const name = canonical.get(foldKey(key)) ?? key;
      // json.ts refuses duplicates already; this guards values that did not come from it.
      if (Object.hasOwn(out, name)) throw refuse(`duplicate key ${JSON.stringify(key)}`);
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }, z.strictObject(shape));
}

/** A Go zero value: absent, null, false, 0, "", [] or {} (a map with a key is not zero, whatever its value). */
export function isGoZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isJsonObject(value as JsonValue)) return Object.keys(value as object).length === 0;
  return false;
}

/** A struct left at its zero value: every field zero (the CLI sends e.g. {"Type":"","Config":{}}). */
export function isZeroStruct(value: unknown): boolean {
  if (isJsonObject(value as JsonValue)) return Object.values(value as object).every((v) => isGoZero(v) || isZeroStruct(v));
  return isGoZero(value);
}

/** A field that must stay at its zero value; `reason` is what the learner reads otherwise. */
export function zero(reason: string) {
  return z.unknown().refine(isGoZero, { message: reason }).optional();
}

/** A struct-valued field that must stay at its zero value. */
export function zeroStruct(reason: string) {
  return z.unknown().refine(isZeroStruct, { message: reason }).optional();
}

/** A field that must be absent or null: for these an empty list is not "off" (MaskedPaths: [] unmasks /proc). */
export function nullOnly(reason: string) {
  return z.unknown().refine((v) => v === undefined || v === null, { message: reason }).optional();
}

export const optBool = z.boolean().nullable().optional();
export const int = z.number().int();
export const optString = (max: number) => z.string().max(max).optional();
/** Docker accepts a command as a list or as one string (strslice). */
export const strSlice = z
  .union([z.string().max(65536), z.array(z.string().max(65536)).max(1024)])
  .nullable()
  .optional()
  .transform((v) => (typeof v === 'string' ? [v] : (v ?? undefined)));
export const envList = z
  .array(z.string().max(8192).regex(/^[^=\0][^\0]*$/, 'an environment entry must look like NAME=value'))
  .max(128)
  .nullable()
  .optional();
export const consoleSize = z.array(int.min(0).max(10_000)).length(2).nullable().optional();

/** Validates and throws the most useful refusal: policy reasons first, then shape errors. */
export function checkBody<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'custom') - Number(a.code === 'custom'));
  const issue = issues[0];
  if (!issue) throw refuse(`invalid ${what} body`);
  const at = issue.path.map(String).join('.');
  if (issue.code === 'custom') throw refuse(issue.message);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    throw refuse(`unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')} in the ${what} body (only known, checked fields are forwarded)`);
  }
  throw refuse(`invalid ${what} body${at ? ` at ${at}` : ''}: ${issue.message}`);
}
