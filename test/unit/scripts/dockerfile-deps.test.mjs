// FROM parsing and build ordering (scripts/lib/image-plan.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseRef, orderBuilds, parseDockerfileDeps } from '../../../scripts/lib/images.mjs';

test('normaliseRef adds :latest only where Docker would', () => {
  assert.equal(normaliseRef('sickbay/service'), 'sickbay/service:latest');
  assert.equal(normaliseRef('sickbay/base:bookworm'), 'sickbay/base:bookworm');
  assert.equal(normaliseRef('localhost:5000/x'), 'localhost:5000/x:latest');
  assert.equal(normaliseRef('debian@sha256:abc'), 'debian@sha256:abc');
});

test('a plain FROM, with comments and flags around it', () => {
  const text = '# build me\n# FROM sickbay/commented\nFROM --platform=linux/amd64 sickbay/service\nRUN true\n';
  assert.deepEqual(parseDockerfileDeps(text), ['sickbay/service:latest']);
});

test('multi-stage: stage names and scratch are not images; COPY --from an image is', () => {
  const text = `FROM sickbay/base:bookworm AS build
RUN make
FROM scratch AS empty
FROM build
COPY --from=build /out /out
COPY --from=0 /a /a
COPY --from=sickbay/tools /bin/t /bin/t
FROM sickbay/base:bookworm
`;
  assert.deepEqual(parseDockerfileDeps(text), ['sickbay/base:bookworm', 'sickbay/tools:latest']);
});

test('ARG defaults before the first FROM are substituted; continuation lines are joined', () => {
  const text = 'ARG BASE=sickbay/service\nARG TAG="latest"\nFROM \\\n  ${BASE}:$TAG\n';
  assert.deepEqual(parseDockerfileDeps(text), ['sickbay/service:latest']);
});

test('lower-case instructions count too', () => {
  assert.deepEqual(parseDockerfileDeps('from sickbay/service as s\n'), ['sickbay/service:latest']);
});

const img = (tag, ...deps) => ({ tag, deps, source: `${tag}/Dockerfile` });

test('orderBuilds puts parents first and keeps input order otherwise', () => {
  const order = orderBuilds(
    [
      img('sickbay/scenario-a:latest', 'sickbay/service:latest'),
      img('sickbay/console:latest', 'sickbay/base:bookworm'),
      img('sickbay/service:latest', 'sickbay/base:bookworm', 'debian:bookworm-slim'),
    ],
    ['sickbay/base:bookworm'],
  ).map((i) => i.tag);
  assert.deepEqual(order, ['sickbay/console:latest', 'sickbay/service:latest', 'sickbay/scenario-a:latest']);
});

test('orderBuilds rejects a FROM of a sickbay image nothing builds', () => {
  assert.throws(
    () => orderBuilds([img('sickbay/a:latest', 'sickbay/nope:latest')], ['sickbay/base:bookworm']),
    (err) => err.code === 'IMAGE_MISSING_PARENT' && /sickbay\/a:latest needs sickbay\/nope:latest/.test(err.message),
  );
});

test('orderBuilds names the cycle', () => {
  assert.throws(
    () => orderBuilds([
      img('sickbay/x:latest', 'sickbay/base:bookworm'),
      img('sickbay/a:latest', 'sickbay/b:latest'),
      img('sickbay/b:latest', 'sickbay/c:latest'),
      img('sickbay/c:latest', 'sickbay/a:latest'),
    ], ['sickbay/base:bookworm']),
    (err) => err.code === 'IMAGE_CYCLE' && err.message.includes('sickbay/a:latest -> sickbay/b:latest -> sickbay/c:latest -> sickbay/a:latest'),
  );
  assert.throws(() => orderBuilds([img('sickbay/self:latest', 'sickbay/self:latest')]), { code: 'IMAGE_CYCLE' });
});
