// Which Debian mirror the offline base image is debootstrapped from (scripts/lib/image-plan.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MIRROR,
  mirrorFromDeb822,
  mirrorFromSourcesList,
  parseDeb822,
  readDebianMirror,
} from '../../../scripts/lib/images.mjs';

// Shaped like a stock bookworm machine: comment lines inside stanzas, two suites on one line.
const STOCK = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

test('deb822: the stanza whose Suites include bookworm gives the mirror', () => {
  assert.equal(mirrorFromDeb822(STOCK), 'http://deb.debian.org/debian');
});

test('deb822: bookworm-security alone does not count as bookworm', () => {
  const onlySecurity = STOCK.split('\n\n')[1];
  assert.equal(mirrorFromDeb822(onlySecurity), null);
});

test('deb822: skips disabled, source-only, non-main and non-http stanzas', () => {
  const text = `Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://download.example/linux/debian
Suites: bookworm
Components: stable

Types: deb
URIs: cdrom:[Debian 12]/ https://mirror.example/debian/
Suites: bookworm
Components: main contrib
`;
  assert.equal(mirrorFromDeb822(text), 'https://mirror.example/debian');
});

test('deb822: folded continuation lines and case-insensitive keys', () => {
  const text = 'types: deb\nuris:\n  http://folded.example/debian\nsuites: trixie\n bookworm\ncomponents: main\n';
  assert.deepEqual(parseDeb822(text)[0].suites, 'trixie bookworm');
  assert.equal(mirrorFromDeb822(text), 'http://folded.example/debian');
});

test('one-line format: options in brackets, comments and other suites', () => {
  const text = `# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://deb.example.org/debian/ bookworm main contrib # trailing note
deb http://later.example/debian bookworm main
`;
  assert.equal(mirrorFromSourcesList(text), 'http://deb.example.org/debian');
});

test('one-line format: a bookworm suite without main is a third-party repo', () => {
  assert.equal(mirrorFromSourcesList('deb https://download.example/linux/debian bookworm stable\n'), null);
});

function aptDir(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-apt-'));
  fs.mkdirSync(path.join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('readDebianMirror: debian.sources wins over sources.list', (t) => {
  const dir = aptDir({
    'sources.list.d/debian.sources': STOCK.replace('deb.debian.org', 'first.example'),
    'sources.list': 'deb http://second.example/debian bookworm main\n',
  });
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.equal(readDebianMirror({ aptDir: dir }), 'http://first.example/debian');
});

test('readDebianMirror: falls back to sources.list, ignoring disabled files', (t) => {
  const dir = aptDir({
    'sources.list.d/other.sources.disabled-by-admin': STOCK.replace('deb.debian.org', 'disabled.example'),
    'sources.list': 'deb http://second.example/debian bookworm main\n',
  });
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.equal(readDebianMirror({ aptDir: dir }), 'http://second.example/debian');
});

test('readDebianMirror: *.list files in sources.list.d are read too', (t) => {
  const dir = aptDir({ 'sources.list.d/mirror.list': 'deb http://third.example/debian bookworm main\n' });
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.equal(readDebianMirror({ aptDir: dir }), 'http://third.example/debian');
});

test('readDebianMirror: the default mirror when nothing lists bookworm', (t) => {
  const dir = aptDir({ 'sources.list': 'deb http://deb.debian.org/debian trixie main\n' });
  t.after(() => fs.rmSync(dir, { recursive: true }));
  assert.equal(readDebianMirror({ aptDir: dir }), DEFAULT_MIRROR);
  assert.equal(readDebianMirror({ aptDir: path.join(dir, 'missing') }), DEFAULT_MIRROR);
});
