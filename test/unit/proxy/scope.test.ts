import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL } from '@/lib/lifecycle/labels';
import { queryFlags, dockerCallEvent } from '@/lib/proxy/audit';
import { planCommit, snapshotTag, commitBody } from '@/lib/proxy/commit';
import { checkQuery } from '@/lib/proxy/query';
import { capApiVersion, eventVisible, imageRefAllowed, ownItems, ownNetworkView, redactHostPaths, reduceInfo, visibleImages } from '@/lib/proxy/responses';
import { matchRoute } from '@/lib/proxy/routes';
import { FILTER_KEYS, forceLabelFilters, isOwned, targetName } from '@/lib/proxy/scope';

const SCOPE = { sessionId: 's1', instance: 'i1' };
const own = { [LABEL.managedBy]: 'sickbay', [LABEL.session]: 's1', [LABEL.instance]: 'i1', [LABEL.service]: 'web', [LABEL.role]: 'service' };

describe('ownership predicates', () => {
  it('needs both session and instance labels; managed-by alone (inherited from images) proves nothing', () => {
    assert.ok(isOwned(own, SCOPE));
    assert.ok(!isOwned({ [LABEL.managedBy]: 'sickbay' }, SCOPE));
    assert.ok(!isOwned({ ...own, [LABEL.instance]: 'other' }, SCOPE));
    assert.ok(!isOwned({ ...own, [LABEL.session]: 's2' }, SCOPE));
    assert.ok(!isOwned({ ...own, [LABEL.role]: 'console' }, SCOPE), 'the console is hidden');
    assert.ok(!isOwned({ ...own, [LABEL.role]: 'customers' }, SCOPE), 'the customers container is hidden');
    assert.ok(!isOwned(null, SCOPE));
  });

  it('names targets by service, else by the name without the session prefix', () => {
    assert.equal(targetName(own, '/sickbay-s1-web', SCOPE), 'web');
    assert.equal(targetName({ [LABEL.role]: 'sidecar' }, '/sickbay-s1-dbg', SCOPE), 'dbg');
    assert.equal(targetName({}, 'odd', SCOPE), 'odd');
  });

  it('adds the session label filters to either filter shape and refuses unknown filter keys', () => {
    const forced = JSON.parse(forceLabelFilters('{"label":{"x=y":true},"status":["running"]}', SCOPE, FILTER_KEYS.containers));
    assert.deepEqual(forced, { label: { 'x=y': true, 'sickbay.session=s1': true, 'sickbay.instance=i1': true }, status: { running: true } });
    assert.deepEqual(JSON.parse(forceLabelFilters(undefined, SCOPE, FILTER_KEYS.events)), { label: { 'sickbay.session=s1': true, 'sickbay.instance=i1': true } });
    assert.throws(() => forceLabelFilters('{"since":["abc"]}', SCOPE, FILTER_KEYS.containers), /filter "since" is not accepted/);
    assert.throws(() => forceLabelFilters('{"label":[1]}', SCOPE, FILTER_KEYS.containers), /strings/);
    assert.throws(() => forceLabelFilters('{"label":["a"],"label":["b"]}', SCOPE, FILTER_KEYS.containers), /duplicate key/);
  });
});

describe('response filters', () => {
  it('keeps only own list items, even if the engine ignored a filter', () => {
    const items = [{ Id: 'a', Labels: own }, { Id: 'b', Labels: { ...own, [LABEL.session]: 's2' } }, { Id: 'c' }, { Id: 'd', Labels: { ...own, [LABEL.role]: 'console' } }];
    assert.deepEqual(ownItems(items, SCOPE).map((i) => i.Id), ['a']);
    assert.deepEqual(ownItems({ not: 'a list' }, SCOPE), []);
  });

  it('removes other containers from a network inspect', () => {
    const view = ownNetworkView({ Name: 'n', Containers: { a: { Name: 'x' }, z: { Name: 'y' } } }, new Set(['a']));
    assert.deepEqual(Object.keys(view.Containers as object), ['a']);
  });

  it('shows only sidecar images and the session snapshots, with only their allowed tags', () => {
    const scope = { images: ['sickbay/service:latest'], snapshotRepository: 'sickbay-snapshot/s1' };
    const list = [
      { Id: '1', RepoTags: ['sickbay/service:latest', 'secret/name:tag'], RepoDigests: ['x@sha256:1'] },
      { Id: '2', RepoTags: ['sickbay-snapshot/s1:snap'] },
      { Id: '3', RepoTags: ['sickbay-snapshot/s2:snap'] },
      { Id: '4', RepoTags: null },
    ];
    assert.deepEqual(visibleImages(list, scope), [
      { Id: '1', RepoTags: ['sickbay/service:latest'], RepoDigests: [] },
      { Id: '2', RepoTags: ['sickbay-snapshot/s1:snap'], RepoDigests: [] },
    ]);
    assert.ok(imageRefAllowed('sickbay/service', scope));
    assert.ok(!imageRefAllowed('sickbay/console:latest', scope));
    assert.ok(!imageRefAllowed('sha256:abc', scope));
  });

  it('shows engine events of own objects, and exec events only of execs made through the proxy', () => {
    const ev = (action: string, attrs: Record<string, string>, type = 'container') => ({ Type: type, Action: action, Actor: { ID: 'x', Attributes: attrs } });
    const mine = (id: string) => id === 'e1';
    assert.ok(eventVisible(ev('die', own), SCOPE, mine));
    assert.ok(eventVisible(ev('exec_create: ls', { ...own, execID: 'e1' }), SCOPE, mine));
    assert.ok(!eventVisible(ev('exec_create: cat /secret-check', { ...own, execID: 'e2' }), SCOPE, mine), "the lab's own execs stay hidden");
    assert.ok(!eventVisible(ev('exec_start: x', own), SCOPE, mine));
    assert.ok(!eventVisible(ev('die', { ...own, [LABEL.session]: 's2' }), SCOPE, mine));
    assert.ok(!eventVisible(ev('connect', own, 'network'), SCOPE, mine));
    assert.ok(eventVisible(ev('tag', own, 'image'), SCOPE, mine));
    assert.ok(!eventVisible('garbage', SCOPE, mine));
  });

  it('takes host paths out of inspect answers', () => {
    const view = redactHostPaths({ Id: 'x', LogPath: '/var/lib/docker/containers/x/x-json.log', HostsPath: '/h', GraphDriver: { Name: 'overlay2', Data: { MergedDir: '/var/lib/docker/overlay2/m' } }, Mounts: [{ Type: 'volume', Source: '/var/lib/docker/volumes/v/_data', Destination: '/d' }], State: { Running: true } });
    assert.equal(view.LogPath, '');
    assert.equal(view.HostsPath, '');
    assert.deepEqual(view.GraphDriver, { Name: 'overlay2', Data: null });
    assert.deepEqual(view.Mounts, [{ Type: 'volume', Source: '', Destination: '/d' }]);
    assert.deepEqual(view.State, { Running: true });
  });

  it('reduces docker info and caps the API version', () => {
    const info = reduceInfo({ ID: 'host-id', Name: 'prod-host', Containers: 99, ServerVersion: '20.10', NCPU: 8, RegistryConfig: { x: 1 }, Swarm: { LocalNodeState: 'active' } }, { containers: 2, running: 1, paused: 0, stopped: 1 });
    assert.equal(info.ID, '');
    assert.equal(info.Name, 'sickbay');
    assert.equal(info.Containers, 2);
    assert.equal(info.NCPU, 8);
    assert.ok(!('RegistryConfig' in info));
    assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive');
    assert.equal(capApiVersion('1.43', '1.41'), '1.41');
    assert.equal(capApiVersion('1.40', '1.41'), '1.40');
    assert.equal(capApiVersion(undefined, '1.41'), '1.41');
  });
});

describe('commit planning', () => {
  it('forces the repository and turns the learner\'s name into the tag', () => {
    assert.equal(snapshotTag('docker.io/library/mysnap', 'v1', 'fb'), 'mysnap-v1');
    assert.equal(snapshotTag('mysnap', undefined, 'fb'), 'mysnap');
    assert.equal(snapshotTag('', '', 'snapshot-1'), 'snapshot-1');
    assert.equal(snapshotTag('x', '..evil', 'fb'), 'x-..evil');
    const route = matchRoute('POST', '/commit').route;
    const q = checkQuery([['container', 'web'], ['repo', 'sickbay/service'], ['tag', 'latest'], ['pause', '0']], route.query, 'commit');
    const plan = planCommit(q, 'sickbay-snapshot/s1', 'fb');
    assert.deepEqual(plan, { containerRef: 'web', tag: 'service-latest', query: { repo: 'sickbay-snapshot/s1', tag: 'service-latest', pause: '0' } });
    assert.throws(() => planCommit(checkQuery([], route.query, 'commit'), 'r', 'fb'), /needs a container/);
    assert.deepEqual(commitBody({ a: 'b' }, { sessionId: 's1', instance: 'i1' }).Labels, { a: 'b', [LABEL.session]: 's1', [LABEL.instance]: 'i1', [LABEL.role]: 'snapshot' });
  });
});

describe('audit events', () => {
  it('types query flags and marks stats --no-stream and cp direction', () => {
    const logs = matchRoute('GET', '/containers/web/logs').route;
    assert.deepEqual(queryFlags(logs, checkQuery([['follow', '1'], ['tail', '5'], ['since', '1795686408']], logs.query, 'logs')), { follow: true, tail: 5, since: 1795686408 });
    const stats = matchRoute('GET', '/containers/web/stats').route;
    assert.deepEqual(queryFlags(stats, checkQuery([['stream', '0']], stats.query, 'stats')), { 'no-stream': true });
    assert.deepEqual(queryFlags(stats, {}), { stream: true });
    const cp = matchRoute('GET', '/containers/web/archive').route;
    assert.equal(queryFlags(cp, checkQuery([['path', '/etc/hosts']], cp.query, 'cp')).direction, 'out');
  });

  it('builds a DockerCallBody with the reason only when refused', () => {
    const ok = dockerCallEvent({ action: 'logs', method: 'GET', path: '/containers/web/logs', target: 'web' }, { allowed: true, status: 200 });
    assert.deepEqual(ok, { kind: 'docker', action: 'logs', method: 'GET', path: '/containers/web/logs', allowed: true, status: 200, target: 'web' });
    const no = dockerCallEvent({ action: 'pull', method: 'POST', path: '/images/create', flags: {} }, { allowed: false, status: 403, reason: 'sickbay: no' });
    assert.equal(no.reason, 'sickbay: no');
    assert.ok(!('flags' in no));
  });
});
