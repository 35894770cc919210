import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonContentTypeProblem, parseMediaType } from '@/lib/web/media-type';

describe('parseMediaType', () => {
  it('parses a type with parameters', () => {
    assert.deepEqual(parseMediaType('Application/JSON; charset="UTF-8"'), { essence: 'application/json', params: { charset: 'UTF-8' } });
    assert.deepEqual(parseMediaType('text/plain;a=1; b="x;y"'), { essence: 'text/plain', params: { a: '1', b: 'x;y' } });
    assert.deepEqual(parseMediaType('application/json;'), { essence: 'application/json', params: {} });
  });

  it('refuses what is not one well-formed media type', () => {
    for (const v of ['', 'json', 'application/', '/json', 'text/plain;application/json', 'application/json;text/plain', 'application/json, text/plain', 'application/json; charset', 'application/json; charset=utf-8; charset=latin1', 'application/json; a="unterminated']) {
      assert.equal(parseMediaType(v), null, v);
    }
  });
});

describe('jsonContentTypeProblem', () => {
  it('accepts application/json, with a UTF-8 charset or other well-formed parameters', () => {
    for (const v of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;charset=UTF-8', 'application/json; charset="utf-8"', 'application/json ']) {
      assert.equal(jsonContentTypeProblem(v), null, v);
    }
  });

  it('refuses everything a web page can send without a preflight, and look-alikes', () => {
    for (const v of [
      undefined,
      null,
      '',
      'text/plain',
      'text/plain;application/json',
      'text/plain; charset=application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json;text/plain',
      'application/jsonp',
      'application/json-patch+json',
      'application/ld+json',
      'application/json; charset=latin1',
    ]) {
      const problem = jsonContentTypeProblem(v);
      assert.ok(problem, String(v));
      assert.match(problem, /content-type: application\/json/);
    }
    assert.match(jsonContentTypeProblem('text/plain;application/json') ?? '', /got "text\/plain;application\/json"/);
  });
});
