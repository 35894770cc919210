#!/usr/bin/env bash
# oom-limit: the reckless way, for contrast. It "works" for a while, and it is everything the
# protocol scores against:
#   - no look at logs, events or memory before acting, no snapshot;
#   - restarts the worker's container: the evidence (which batch died, what the memory did, the
#     caches) is gone, and the goal "the container kept running" fails;
#   - then gives it the lab's whole 1 GiB "to be safe": a leak just takes longer to reach it,
#     and an undersized worker now holds back four times what it needs;
#   - a diagnosis without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholder as in reference.sh.

docker restart $WORKER
docker update --memory 1g --memory-swap 1g $WORKER
docker logs --tail 5 $WORKER
echo "SICKBAY_DIAGNOSIS category=limit-too-low decision=restart culprit=worker"
echo "SICKBAY_REASON it ran out of memory, more memory fixes it"
echo "SICKBAY_UPDATE Restarted the worker with more memory."
