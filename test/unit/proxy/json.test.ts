import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStrictJson } from '@/lib/proxy/json';

const refused = (text: string, pattern: RegExp) =>
  assert.throws(() => parseStrictJson(text), (err: Error & { code?: string }) => err.code === 'forbidden' && pattern.test(err.message));

describe('strict JSON parser', () => {
  it('parses what JSON.parse parses, for well-formed documents', () => {
    const docs = ['{}', '[]', 'null', 'true', '-0.5e3', '"a\\u00e9\\n\\ud83d\\ude00"', '{"a":[1,{"b":null}],"c":"x"}', ' { "k" : [ ] } '];
    for (const d of docs) assert.deepEqual(JSON.parse(JSON.stringify(parseStrictJson(d))), JSON.parse(d), d);
  });

  it('refuses exact and case-folded duplicate keys (JSON.parse keeps the last one silently)', () => {
    refused('{"Privileged":false,"Privileged":true}', /duplicate key "Privileged"/);
    refused('{"HostConfig":{"Privileged":false,"privileged":true}}', /duplicate key "privileged"/);
    refused('{"a":{"CAPADD":1,"CapAdd":2}}', /duplicate key/);
    // Distinct keys in different objects are fine.
    assert.deepEqual(JSON.parse(JSON.stringify(parseStrictJson('{"a":{"x":1},"b":{"x":2}}'))), { a: { x: 1 }, b: { x: 2 } });
  });

  it('refuses non-ASCII keys: Go folds U+017F onto "s" and U+212A onto "k"', () => {
    refused('{"Sy\u017fctls":{}}', /outside printable ASCII/);
    refused('{"\\u212aernelMemory":1}', /outside printable ASCII/);
  });

  it('keeps "__proto__" as an ordinary own key, never as a prototype', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.ok(Object.hasOwn(v, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(v), null);
  });

  it('refuses what RFC 8259 does not allow', () => {
    for (const bad of ['{"a":1,}', '[1,]', '{a:1}', "{'a':1}", '01', '1.', '.5', 'NaN', 'Infinity', '"\t"', '{"a":1} x', '// c\n{}', '', '"\\x41"', '"abc', '{"a" 1}', 'tru']) {
      assert.throws(() => parseStrictJson(bad), { code: 'forbidden' }, bad);
    }
  });

  it('refuses lone surrogates, a BOM, and nesting deeper than 32', () => {
    refused('"\\ud800"', /surrogate/);
    refused('"\\udc00x"', /surrogate/);
    refused('\ufeff{}', /byte order mark/);
    refused(`${'['.repeat(40)}${']'.repeat(40)}`, /nesting deeper/);
    assert.doesNotThrow(() => parseStrictJson(`${'['.repeat(30)}${']'.repeat(30)}`));
  });

  it('refuses numbers JSON.parse would turn into Infinity', () => {
    refused('1e400', /out of range/);
  });
});
