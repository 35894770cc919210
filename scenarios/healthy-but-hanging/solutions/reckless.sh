#!/usr/bin/env bash
# healthy-but-hanging: the reckless way, for contrast. "The API hangs, restart it":
#   - no look at logs, connections, threads or the dependencies before acting, no snapshot;
#   - restarts the API: the threads that showed where requests waited are gone, the goal "the
#     API kept running" fails - and it does not even help: the dependency is still frozen, the
#     new workers (or the new refresh thread) block on it again within seconds;
#   - a diagnosis that blames traffic, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

docker restart $API
docker logs --tail 5 $API
echo "SICKBAY_DIAGNOSIS category=traffic-spike decision=restart culprit=api"
echo "SICKBAY_REASON too much traffic, a restart clears the backlog"
echo "SICKBAY_UPDATE Restarted the API, it should be fine now."
