/**
 * The allowlist and the refusal table at the policy level: everything the proxy decides
 * before it asks the engine anything (target, route, query, body schema and limits).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planExecCreate, planExecStart, planNetworkEndpoint, planUpdate } from '@/lib/proxy/bodies';
import { planCommit } from '@/lib/proxy/commit';
import { bodyLimit, checkRequest } from '@/lib/proxy/request';
import { refuse } from '@/lib/proxy/refusal';
import { deniedAction, matchRoute } from '@/lib/proxy/routes';
import { planSidecar } from '@/lib/proxy/sidecar';
import { COMMIT_CLI_20_10, EXEC, EXEC_START, NETWORK_CONNECT, NETWORK_DISCONNECT, RUN_INTERACTIVE, RUN_SIDECAR, UPDATE, edited } from './cli-bodies';

const SIDECAR = { images: ['sickbay/service:latest'], labels: { 'sickbay.managed-by': 'sickbay' }, memoryBytes: 128 << 20, nanoCpus: 5e8, pidsLimit: 64 };
const CEILING = { memoryBytes: 512 << 20, nanoCpus: 1e9, pidsLimit: 256 };

/** What the proxy decides without the engine; throws the refusal, returns the action otherwise. */
function precheck(method: string, url: string, body = ''): string {
  const req = checkRequest(method, url);
  if (Buffer.byteLength(body) > bodyLimit(req.route)) throw refuse(bodyLimit(req.route) === 0 ? 'this endpoint takes no request body' : 'request body too large');
  switch (req.route.handler) {
    case 'exec-create':
      planExecCreate(body);
      break;
    case 'sidecar-create':
      planSidecar(body, req.query.name, SIDECAR, 'sickbay-snapshot/s1');
      break;
    case 'update':
      planUpdate(body, CEILING);
      break;
    case 'network-endpoint':
      planNetworkEndpoint(body, req.route.action as 'network-connect');
      break;
    case 'commit':
      planCommit(req.query, 'sickbay-snapshot/s1', 'snap', body);
      break;
    case 'hijack':
      if (req.route.action === 'exec-start') planExecStart(body);
      break;
    default:
      break;
  }
  return req.route.action;
}

const sidecar = (edit: (b: Record<string, any>) => void) => edited(RUN_SIDECAR, edit); // eslint-disable-line @typescript-eslint/no-explicit-any
const hc = (edit: (h: Record<string, any>) => void) => sidecar((b) => edit(b.HostConfig)); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('allowlist', () => {
  const allowed: [string, string, string, string?][] = [
    ['HEAD', '/_ping', 'ping'],
    ['GET', '/v1.41/_ping', 'ping'],
    ['GET', '/v1.41/version', 'version'],
    ['GET', '/v1.41/info', 'info'],
    ['GET', '/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%7B%22x%3Dy%22%3Atrue%7D%7D', 'ps'],
    ['GET', '/v1.41/containers/web/json', 'inspect'],
    ['GET', '/v1.41/containers/abc/logs?follow=1&stderr=1&stdout=1&tail=5&since=1795686408', 'logs'],
    ['GET', '/v1.41/containers/web/stats?stream=0', 'stats'],
    ['GET', '/v1.41/containers/web/top?ps_args=aux', 'top'],
    ['GET', '/v1.41/containers/web/changes', 'diff'],
    ['HEAD', '/v1.41/containers/web/archive?path=%2Ftmp%2Ff.txt', 'cp'],
    ['GET', '/v1.41/containers/web/archive?path=%2Ftmp%2Ff.txt', 'cp'],
    ['PUT', '/v1.41/containers/web/archive?noOverwriteDirNonDir=true&path=%2Ftmp', 'cp'],
    ['POST', '/v1.41/containers/web/exec', 'exec', EXEC],
    ['POST', `/v1.41/exec/${'a'.repeat(64)}/start`, 'exec-start', EXEC_START],
    ['POST', `/v1.41/exec/${'a'.repeat(64)}/resize?h=40&w=120`, 'exec-resize'],
    ['GET', `/v1.41/exec/${'a'.repeat(64)}/json`, 'exec-inspect'],
    ['POST', '/v1.41/containers/abc/attach?stderr=1&stdin=1&stdout=1&stream=1', 'attach'],
    ['POST', '/v1.41/containers/abc/wait?condition=removed', 'wait'],
    ['POST', '/v1.41/containers/web/restart?t=1', 'restart'],
    ['POST', '/v1.41/containers/web/stop?t=1', 'stop'],
    ['POST', '/v1.41/containers/web/start', 'start'],
    ['POST', '/v1.41/containers/web/kill?signal=SIGUSR1', 'kill'],
    ['POST', '/v1.41/containers/web/pause', 'pause'],
    ['POST', '/v1.41/containers/web/unpause', 'unpause'],
    ['POST', '/v1.41/containers/web/update', 'update', UPDATE],
    ['POST', '/v1.41/commit?author=&comment=&container=web&repo=docker.io%2Flibrary%2Fmysnap&tag=v1', 'commit'],
    ['POST', '/v1.41/commit?author=&comment=&container=web&repo=&tag=', 'commit', COMMIT_CLI_20_10],
    ['POST', '/v1.41/commit?container=web', 'commit', '{}'],
    ['POST', '/v1.41/containers/create?name=dbg1', 'run', RUN_SIDECAR],
    ['POST', '/v1.41/containers/create', 'run', RUN_INTERACTIVE],
    ['DELETE', '/v1.41/containers/dbg1?force=1', 'rm'],
    ['GET', '/v1.41/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D&since=1795686964', 'events'],
    ['GET', '/v1.41/networks', 'network-ls'],
    ['GET', '/v1.41/networks/sickbay-s1-net', 'network-inspect'],
    ['POST', '/v1.41/networks/sickbay-s1-net/connect', 'network-connect', NETWORK_CONNECT],
    ['POST', '/v1.41/networks/sickbay-s1-net/disconnect', 'network-disconnect', NETWORK_DISCONNECT],
    ['GET', '/v1.41/images/json', 'images'],
    ['GET', '/v1.41/images/sickbay/service:latest/json', 'image-inspect'],
    ['GET', '/v1.41/volumes/x', 'volume-inspect'],
    ['GET', '/v1.41/plugins/x/json', 'plugin-inspect'],
  ];
  for (const [method, url, action, body] of allowed) {
    it(`${method} ${url.split('?')[0]} → ${action}`, () => assert.equal(precheck(method, url, body), action));
  }

  it('names refused endpoints in CLI words for the audit log', () => {
    assert.equal(deniedAction('POST', '/images/create'), 'pull');
    assert.equal(deniedAction('POST', '/swarm/init'), 'swarm');
    assert.equal(deniedAction('GET', '/nothing'), 'unknown');
    assert.equal(matchRoute('GET', '/containers/json').route.handler, 'list-containers');
    assert.equal(matchRoute('GET', '/containers/json/json').ref, 'json');
  });
});

describe('refusal table (policy level)', () => {
  const big = JSON.stringify({ Cmd: ['x'], Env: Array.from({ length: 200 }, (_, i) => `V${i}=${'x'.repeat(400)}`) });
  const table: [string, string, string, string, RegExp][] = [
    ['privileged', 'POST', '/containers/create', hc((h) => (h.Privileged = true)), /privileged containers/],
    ['privileged, lower-case keys', 'POST', '/containers/create', '{"Image":"sickbay/service:latest","hostconfig":{"privileged":true}}', /privileged containers/],
    ['privileged, duplicate keys', 'POST', '/containers/create', '{"Image":"sickbay/service","HostConfig":{"Privileged":false,"Privileged":true}}', /duplicate key/],
    ['privileged, case-variant duplicate', 'POST', '/containers/create', '{"Image":"sickbay/service","HostConfig":{"Privileged":false,"PRIVILEGED":true}}', /duplicate key/],
    ['cap-add', 'POST', '/containers/create', hc((h) => (h.CapAdd = ['SYS_ADMIN'])), /--cap-add/],
    ['devices', 'POST', '/containers/create', hc((h) => (h.Devices = [{ PathOnHost: '/dev/kmsg', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }])), /devices/],
    ['host bind', 'POST', '/containers/create', hc((h) => (h.Binds = ['/:/host'])), /volume mounts/],
    ['bind mount', 'POST', '/containers/create', hc((h) => (h.Mounts = [{ Type: 'bind', Source: '/', Target: '/h' }])), /mounts/],
    ['volume mount', 'POST', '/containers/create', hc((h) => (h.Mounts = [{ Type: 'volume', Source: 'v', Target: '/h' }])), /mounts/],
    ['anonymous volume', 'POST', '/containers/create', sidecar((b) => (b.Volumes = { '/data': {} })), /anonymous volumes/],
    ['volumes-from', 'POST', '/containers/create', hc((h) => (h.VolumesFrom = ['web'])), /--volumes-from/],
    ['pid=host', 'POST', '/containers/create', hc((h) => (h.PidMode = 'host')), /--pid=host/],
    ['net=host', 'POST', '/containers/create', hc((h) => (h.NetworkMode = 'host')), /--net=host/],
    ['net=bridge', 'POST', '/containers/create', hc((h) => (h.NetworkMode = 'bridge')), /--net bridge is not allowed/],
    ['ipc=host', 'POST', '/containers/create', hc((h) => (h.IpcMode = 'host')), /--ipc=host/],
    ['uts=host', 'POST', '/containers/create', hc((h) => (h.UTSMode = 'host')), /--uts=host/],
    ['userns=host', 'POST', '/containers/create', hc((h) => (h.UsernsMode = 'host')), /--userns=host/],
    ['cgroupns=host', 'POST', '/containers/create', hc((h) => (h.CgroupnsMode = 'host')), /--cgroupns=host/],
    ['seccomp=unconfined', 'POST', '/containers/create', hc((h) => (h.SecurityOpt = ['seccomp=unconfined'])), /seccomp=unconfined/],
    ['apparmor=unconfined', 'POST', '/containers/create', hc((h) => (h.SecurityOpt = ['apparmor=unconfined'])), /apparmor=unconfined/],
    ['label=disable', 'POST', '/containers/create', hc((h) => (h.SecurityOpt = ['label=disable'])), /label=disable/],
    ['sysctls', 'POST', '/containers/create', hc((h) => (h.Sysctls = { 'net.ipv4.ip_forward': '1' })), /--sysctl/],
    ['runtime', 'POST', '/containers/create', hc((h) => (h.Runtime = 'runc')), /--runtime/],
    ['cgroup-parent', 'POST', '/containers/create', hc((h) => (h.CgroupParent = '/')), /--cgroup-parent/],
    ['unmasked /proc', 'POST', '/containers/create', hc((h) => (h.MaskedPaths = [])), /masked paths/],
    ['published port', 'POST', '/containers/create', hc((h) => (h.PortBindings = { '80/tcp': [{ HostPort: '8080' }] })), /publishing ports/],
    ['log driver', 'POST', '/containers/create', hc((h) => (h.LogConfig = { Type: 'syslog', Config: {} })), /--log-driver/],
    ['oom-kill-disable', 'POST', '/containers/create', hc((h) => (h.OomKillDisable = true)), /OOM killer/],
    ['sidecar memory over limit', 'POST', '/containers/create', hc((h) => (h.Memory = 1 << 30)), /--memory above the sidecar limit/],
    ['image not allowlisted', 'POST', '/containers/create', sidecar((b) => (b.Image = 'busybox')), /image busybox is not allowed/],
    ['image by digest', 'POST', '/containers/create', sidecar((b) => (b.Image = 'sickbay/service@sha256:abcd')), /not by digest/],
    ['reserved label', 'POST', '/containers/create', sidecar((b) => (b.Labels = { 'sickbay.session': 'other' })), /reserved/],
    ['extra endpoint settings', 'POST', '/containers/create', sidecar((b) => (b.NetworkingConfig = { EndpointsConfig: { x: { IPAddress: '10.0.0.9' } } })), /network settings/],
    ['unknown create field', 'POST', '/containers/create', sidecar((b) => (b.HostConfig.Annotations = { a: 'b' })), /unknown field HostConfig.Annotations/],
    ['non-ASCII key (Go folds U+017F to s)', 'POST', '/containers/create', '{"Image":"sickbay/service","HostConfig":{"Sy\u017fctls":{"a":"b"}}}', /outside printable ASCII/],
    ['platform', 'POST', '/containers/create?platform=linux/arm64', RUN_SIDECAR, /platform/],
    ['oversized body', 'POST', '/containers/web/exec', big + ' '.repeat(70_000), /too large/],
    ['exec privileged', 'POST', '/containers/web/exec', edited(EXEC, (b) => (b.Privileged = true)), /exec --privileged/],
    ['exec privileged, lower-case', 'POST', '/containers/web/exec', '{"Cmd":["id"],"privileged":true}', /exec --privileged/],
    ['exec without a command', 'POST', '/containers/web/exec', '{"Cmd":[]}', /needs a command/],
    ['update over the ceiling', 'POST', '/containers/web/update', edited(UPDATE, (b) => (b.Memory = 4 * 2 ** 30)), /ceiling/],
    ['update to unlimited swap', 'POST', '/containers/web/update', edited(UPDATE, (b) => (b.MemorySwap = -1)), /unlimited swap/],
    ['update to unlimited pids', 'POST', '/containers/web/update', edited(UPDATE, (b) => (b.PidsLimit = -1)), /unlimited --pids-limit/],
    ['update cgroup-parent', 'POST', '/containers/web/update', edited(UPDATE, (b) => (b.CgroupParent = '/x')), /cgroup-parent/],
    ['update restart policy', 'POST', '/containers/web/update', edited(UPDATE, (b) => (b.RestartPolicy = { Name: 'always', MaximumRetryCount: 0 })), /restart policy/],
    ['network connect static IP', 'POST', '/networks/n/connect', edited(NETWORK_CONNECT, (b) => (b.EndpointConfig.IPAddress = '10.1.1.1')), /static addresses/],
    ['start with a HostConfig body', 'POST', '/containers/web/start', '{"HostConfig":{"Binds":["/:/host"]}}', /takes no request body/],
    ['start from a checkpoint', 'POST', '/containers/web/start?checkpoint=c1', '', /"checkpoint" is not accepted/],
    ['commit --change', 'POST', '/commit?container=web&changes=CMD%20x', '', /--change/],
    ['commit with a config body', 'POST', '/commit?container=web', '{"Cmd":["sh"]}', /cannot set a configuration/],
    ['commit with a malformed body', 'POST', '/commit?container=web', 'null null', /unexpected data/],
    ['duplicate query key', 'GET', '/containers/json?all=1&all=0', '', /repeated/],
    ['unknown query key', 'GET', '/containers/web/logs?follow=1&evil=1', '', /"evil" is not accepted/],
    ['top with shell-ish ps args', 'GET', '/containers/web/top?ps_args=%3Bid', '', /ps options/],
    ['pull', 'POST', '/v1.41/images/create?fromImage=debian&tag=latest', '', /pulling or importing/],
    ['import', 'POST', '/images/create?fromSrc=-', '', /pulling or importing/],
    ['build', 'POST', '/v1.41/build?t=x', '', /building images/],
    ['push', 'POST', '/images/sickbay/service/push', '', /pushing images/],
    ['load', 'POST', '/images/load', '', /loading images/],
    ['save', 'GET', '/images/get?names=sickbay%2Fservice', '', /saving images/],
    ['tag', 'POST', '/images/sickbay/service/tag?repo=x', '', /tagging images/],
    ['plugins', 'POST', '/plugins/pull?remote=x', '', /plugins are not allowed/],
    ['swarm', 'POST', '/swarm/init', '', /swarm is not allowed/],
    ['services', 'GET', '/services', '', /swarm is not allowed/],
    ['container prune', 'POST', '/containers/prune', '', /prune/],
    ['image prune', 'POST', '/images/prune', '', /prune/],
    ['network create', 'POST', '/networks/create', '', /creating networks/],
    ['volume create', 'POST', '/volumes/create', '', /volumes are not allowed/],
    ['export', 'GET', '/containers/web/export', '', /exporting/],
    ['attach over websocket', 'GET', '/containers/web/attach/ws', '', /websocket attach/],
    ['unknown endpoint', 'GET', '/v1.41/foo', '', /not on the allowlist/],
    ['HEAD on a GET-only endpoint', 'HEAD', '/containers/json', '', /not on the allowlist/],
    ['version 1.99', 'GET', '/v1.99/containers/json', '', /API version/],
    ['dot-dot encoded', 'GET', '/v1.41/containers/%2e%2e/images/json', '', /"\.\."/],
    ['encoded slash', 'GET', '/v1.41/containers/web%2fjson', '', /encoded/],
    ['double slash', 'GET', '//v1.41/info', '', /empty path segments/],
  ];
  it('has at least 30 entries', () => assert.ok(table.length >= 30, String(table.length)));
  for (const [name, method, url, body, reason] of table) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => precheck(method, url, body),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'forbidden');
          assert.match(err.message, /^sickbay: /);
          assert.match(err.message, reason);
          return true;
        },
      );
    });
  }
});
