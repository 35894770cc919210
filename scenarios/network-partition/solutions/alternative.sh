#!/usr/bin/env bash
# network-partition: an alternative expert path for the fairness corpus (issue 17). Every test of
# the path runs from a debug sidecar in the API's network namespace (`docker run --network
# container:...`) instead of `docker exec` into it: the storefront's own `GET /` names its
# upstreams, a loop over their /healthz names the one that fails, and a sidecar in the service's
# own namespace shows the service answers. Where the break is comes from Docker's view of the
# container (its networks against its network mode) and `iptables -S`; the fix removes the rule by
# its specification (not its number) or reattaches the container under its service name.
# `npm run scenario:verify -- --fairness` types it like the reference and expects every goal met
# and a total of 85 or more.
#
# Nothing below knows the answer: which service is cut off, and how, is read off the system.
# Placeholders: $API  the storefront API's container, e.g. sickbay-3f2a9c0b1d4e-api
#               $ACCOUNTS, $INVENTORY, $PRICING   the three internal services
# Variables this script sets as it goes: S, APIPORT, UPS, BAD, DEP, PORT, DEPC, ADDR, NET, SPEC, CAUSE.

# -- 1. Outside first: who is unhappy, and what do the logs already say? ---------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker logs --tail 12 $API
# A KeyError in the cart code, yet nothing was deployed. What do the services the cart needs see?
for c in $ACCOUNTS $INVENTORY $PRICING; do docker logs --tail 1 $c; done

# -- 2. From the storefront's own network, without entering it: which upstreams does it call? -------
S=sickbay/service:latest
APIPORT=$(docker logs $API 2>&1 | head -n 1 | sed -n -E 's/.*listening on [0-9.]+:([0-9]+).*/\1/p')
docker run --rm --network container:$API $S curl -sS -m 3 http://127.0.0.1:$APIPORT/
UPS=$(docker run --rm --network container:$API $S curl -sS -m 3 http://127.0.0.1:$APIPORT/ | jq -r '.upstreams | join(" ")')
# Each upstream's /healthz, from the same namespace the failing calls start in:
#@ evidence
docker run --rm --network container:$API $S sh -c "for u in $UPS; do printf '%s -> ' \$u; curl -sS -m 3 -o /dev/null -w 'HTTP %{http_code}\n' \$u/healthz 2>&1; done; true"
BAD=$(docker run --rm --network container:$API $S sh -c "for u in $UPS; do curl -s -m 3 -o /dev/null \$u/healthz || echo \$u; done; true")
DEP=$(echo $BAD | sed -E 's#^http://([^:]+):.*#\1#')
PORT=$(echo $BAD | sed -E 's#.*:([0-9]+)$#\1#')
DEPC=$(docker ps --format '{{.Names}}' | grep -- "-$DEP\$")
echo "the storefront cannot reach $DEP (port $PORT, container $DEPC)"

# -- 3. Is the service itself alive? Ask it from its own network namespace ---------------------------
docker run --rm --network container:$DEPC $S curl -sS -m 3 http://127.0.0.1:$PORT/healthz
# It answers: the service is fine, the path is not. Is it still on the network it belongs to?
docker inspect --format 'mode={{.HostConfig.NetworkMode}} networks:{{range $n, $e := .NetworkSettings.Networks}} {{$n}}={{$e.IPAddress}}{{end}}' $DEPC
ADDR=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' $DEPC)
NET=$(docker inspect --format '{{.HostConfig.NetworkMode}}' $DEPC)
# And the storefront's firewall (a sidecar has no NET_ADMIN to list it: read-only exec):
#@ evidence
docker exec $API iptables -S OUTPUT

# -- 4. Keep the evidence: the rules and the network's view, as they are now -------------------------
docker exec $API iptables-save > api-firewall-before.rules
docker network inspect $NET > backend-network-before.json

# -- 5. Name the break: a DROP/REJECT rule for that address or port, or no attachment at all --------
SPEC=$(docker exec $API iptables -S OUTPUT | grep -E -e '-j (DROP|REJECT)' | grep -E -e "-d $ADDR/32 |--dport $PORT( |\$)" | head -n 1)
echo "blocking rule: ${SPEC:-none}"
CAUSE=$(if [ -n "$SPEC" ]; then echo firewall-rule; elif [ -z "$ADDR" ]; then echo network-detached; else echo unknown; fi)
echo "cause: $CAUSE"

# -- 6. Smallest change: delete exactly that rule by its specification, or reattach under the name ---
if [ -n "$SPEC" ]; then docker exec $API sh -c "iptables ${SPEC/-A /-D }"; fi
if [ -z "$ADDR" ]; then docker network connect --alias $DEP $NET $DEPC; fi

# -- 7. Verify: the same test from the same namespace, the rules, the service's view -----------------
docker run --rm --network container:$API $S curl -sS -m 3 $BAD/healthz
docker exec $API iptables -S OUTPUT
sleep 40
docker logs --tail 1 $DEPC

# -- 8. Report ---------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=$CAUSE decision=fix-in-place culprit=$DEP"
echo "SICKBAY_REASON The KeyError was a symptom: from the storefront's own network namespace $DEP did not answer while it answered in its own, so the path was cut ($CAUSE) and the client hid the error. Removing only that block, with no restart, restored the path and kept the standing firewall rules."
echo "SICKBAY_UPDATE Customers could not check out: every checkout failed with an error. Cause: the storefront could not reach the internal $DEP service ($CAUSE); it was a network block, not a code bug. We removed only that block, without restarting anything, and checkouts succeed again. Next: we will monitor checkouts for 30 minutes, add a connectivity check for each upstream to the health check, and make the client log upstream errors."
