#!/usr/bin/env bash
# no-shell-image: the reckless way, for contrast. It "works" — quotes come back — and it is
# everything the protocol scores against:
#   - tries a shell in the container first; when the image has none, concludes the image is
#     broken instead of bringing a debug sidecar;
#   - restarts the service: the quotes held in memory are gone, and with them the evidence
#     (the stuck process and its lock, or the leaked descriptors); the goals "kept running" and
#     "a sidecar shared its PID namespace" fail, and the cause will come back;
#   - a diagnosis that blames the image without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

#@ may-fail
docker exec $PRICING sh
docker restart $PRICING
docker logs --tail 5 $PRICING
echo "SICKBAY_DIAGNOSIS category=bad-image decision=restart culprit=pricing image"
echo "SICKBAY_REASON no shell in the image, it is broken, a restart clears it"
echo "SICKBAY_UPDATE Restarted pricing, it looks fine now."
