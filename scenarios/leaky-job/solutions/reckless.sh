#!/usr/bin/env bash
# leaky-job: the reckless way, for contrast. It "works" for a while — the 500s stop — and it is
# everything the protocol scores against:
#   - no look at stats, logs or processes before acting, no snapshot;
#   - restarts the API: the orders in flight are lost, and with them the evidence (the process
#     list, the memory profile); the goal "the API kept running" fails, and the job that leaks
#     is not even known: it comes back with its next scheduled run;
#   - a diagnosis that blames the memory limit without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

docker restart $API
docker logs --tail 5 $API
echo "SICKBAY_DIAGNOSIS category=limit-too-low decision=restart culprit=api"
echo "SICKBAY_REASON it ran out of memory, a restart clears it"
echo "SICKBAY_UPDATE Restarted the API, it looks fine now."
