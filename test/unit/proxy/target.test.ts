import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePath, parseRequestTarget } from '@/lib/proxy/target';

const refused = (url: string, pattern: RegExp) =>
  assert.throws(() => parseRequestTarget(url), (err: Error & { code?: string }) => err.code === 'forbidden' && pattern.test(err.message), url);

describe('request target parsing', () => {
  it('strips an accepted version prefix and decodes the path once', () => {
    assert.deepEqual(parseRequestTarget('/v1.41/containers/web/json'), { version: '1.41', path: '/containers/web/json', query: [] });
    assert.deepEqual(parseRequestTarget('/containers/json?all=1'), { version: null, path: '/containers/json', query: [['all', '1']] });
    assert.equal(parseRequestTarget('/v1.24/_ping').version, '1.24');
    assert.equal(parseRequestTarget('/v1.41/images/sickbay%2Dx/json').path, '/images/sickbay-x/json');
  });

  it('refuses versions outside 1.24..1.41 (older ones honour a HostConfig on start)', () => {
    refused('/v1.99/containers/json', /API version "v1.99"/);
    refused('/v1.12/containers/x/start', /API version "v1.12"/);
    refused('/v1.23/containers/x/start', /API version/);
    refused('/v2.0/info', /API version/);
    refused('/v1.41.0/info', /API version/);
    refused('/v1/info', /API version/);
    refused('/v1.41', /version prefix alone/);
  });

  it('refuses encoded slashes, dot segments, double slashes, NUL and double encoding', () => {
    refused('/v1.41/containers/..%2fimages/json', /encoded/);
    refused('/v1.41/containers/x%2Fy/json', /encoded/);
    refused('/containers/x%5cy/json', /encoded/);
    refused('/containers/json%00', /encoded/);
    refused('/containers/%252e%252e/json', /encoded/);
    refused('/v1.41/containers/%2e%2e/images/create', /"\." and "\.\."/);
    refused('/v1.41/containers/./json', /"\." and "\.\."/);
    refused('//v1.41/info', /empty path segments/);
    refused('/v1.41//info', /empty path segments/);
    refused('/containers/json/', /empty path segments/);
    refused('/containers/%zz/json', /malformed/);
    refused('/containers/a b/json', /spaces/);
    refused('/containers/a\\b/json', /"\\" in the path/);
    refused('http://evil/containers/json', /origin-form/);
    refused('/containers/%0a/json', /control characters/);
  });

  it('decodes the query like Go does and keeps duplicates for the query check', () => {
    assert.deepEqual(parseRequestTarget('/x?a=1&a=2&b=c+d&e=%2F').query, [['a', '1'], ['a', '2'], ['b', 'c d'], ['e', '/']]);
    refused('/x?a=1;b=2', /";"/);
    refused('/x?a=%zz', /malformed/);
    refused('/x?a=%00', /control characters/);
  });

  it('re-encodes the checked path for forwarding, keeping ":" readable', () => {
    assert.equal(encodePath('/images/sickbay/service:latest/json', '1.41'), '/v1.41/images/sickbay/service:latest/json');
    assert.equal(encodePath('/containers/a b/json', null), '/containers/a%20b/json');
  });
});
