/**
 * Host-side names of Sickbay's bridges. Docker names a bridge `br-<network id>`, which says
 * nothing about who made it; naming ours with a fixed prefix (network option
 * `com.docker.network.bridge.name`) lets one wildcard firewall rule (`iifname "sickbay*"`)
 * cover every present and future session bridge of every instance, with no rule per network.
 */
import { hashSeed } from '../scenario/rng';

export const BRIDGE_PREFIX = 'sickbay';
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
/** Linux interface names hold at most 15 characters (IFNAMSIZ 16 with the NUL). */
export const IFNAME_MAX = 15;

/**
 * `sickbay` + 8 hex digits of a hash of the Docker network name (unique on the engine). Two
 * names that collide (odds about n²/2³³ for n live networks) make Docker refuse the second
 * network ("conflicts with network"), so a collision fails a start instead of sharing a bridge.
 */
export function bridgeName(networkName: string): string {
  return `${BRIDGE_PREFIX}${hashSeed(networkName).toString(16).padStart(8, '0')}`;
}
