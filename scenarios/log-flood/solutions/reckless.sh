#!/usr/bin/env bash
# log-flood: the reckless way, for contrast. It is everything the protocol scores against:
#   - a glance at the tail of the flood (identical retry lines) and a guess: "the dependency is down";
#   - restarts the worker and the dependency, without a snapshot: the queued notifications in the
#     worker's memory are lost, and with them the evidence;
#   - and it fixes nothing: the worker comes back with the same configuration, fails the same way
#     and floods its log again, now without the early lines that explained it;
#   - a wrong diagnosis without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

docker logs --tail 20 $WORKER
docker restart $WORKER
docker restart $GATEWAY
docker logs --tail 5 $WORKER
echo "SICKBAY_DIAGNOSIS category=dependency-down decision=restart culprit=gateway"
echo "SICKBAY_REASON the gateway stopped answering, a restart clears it"
echo "SICKBAY_UPDATE Restarted the worker and the gateway."
