#!/usr/bin/env bash
# network-partition: the reckless way, for contrast. It reads the traceback, decides it is a code
# bug and "turns it off and on again" — everything the protocol scores against:
#   - no connectivity test, no look at the services or the network before acting;
#   - restarts the storefront and all three services: in-flight checkouts are lost, and with the
#     API's network namespace goes the firewall state that explained the incident (and the
#     standing egress rules that were meant to stay). When a firewall rule was the cause, the
#     restart "fixes" it by accident; when a container left the network, nothing comes back;
#   - a diagnosis that blames the code, without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

docker logs --tail 5 $API
docker restart $API $ACCOUNTS $INVENTORY $PRICING
docker logs --tail 3 $API
echo "SICKBAY_DIAGNOSIS category=app-bug decision=restart culprit=build_cart"
echo "SICKBAY_REASON KeyError in the cart code, a restart clears it"
echo "SICKBAY_UPDATE Restarted the storefront, looks fine now."
