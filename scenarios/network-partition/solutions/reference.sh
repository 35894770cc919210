#!/usr/bin/env bash
# network-partition: the reference solution, as the commands a careful on-call types at the
# Sickbay console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: which internal service is cut off, and how (a firewall rule in
# the API's namespace, or a container that left the network), is found by the commands
# themselves, and the fix applies to whichever it is. `npm run scenario:verify` types this file
# into live sessions and expects every goal met and a total of 85 or more.
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $API        the storefront API's container, e.g. sickbay-3f2a9c0b1d4e-api
#   $ACCOUNTS, $INVENTORY, $PRICING   the three internal services
# Variables this script sets as it goes: BAD, DEP, PORT, DEPC, NET, ADDR, NUM, ATTACHED, CAUSE.
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis.

# -- 1. Outside first (external): who is unhappy, and what do the logs already say? ---------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 12 $API
# A KeyError in build_cart: it looks like a code bug, but nothing was deployed. What do the services the cart is built from see?
docker logs --tail 2 $ACCOUNTS
docker logs --tail 2 $INVENTORY
docker logs --tail 2 $PRICING
# One of them has had no request for a while, while the storefront fails every checkout. Where does the storefront send its calls?
docker logs $API 2>&1 | head -n 1

# -- 2. Test the path from the storefront's side (read-only inside): each upstream's /healthz ------
#@ evidence
docker exec $API sh -c 'for u in $ACCOUNTS_URL $INVENTORY_URL $PRICING_URL; do printf "%s -> " $u; curl -sS -m 3 -o /dev/null -w "HTTP %{http_code}\n" $u/healthz 2>&1; done; true'
# The one that does not answer, its name, its port and its container.
BAD=$(docker exec $API sh -c 'for u in $ACCOUNTS_URL $INVENTORY_URL $PRICING_URL; do curl -s -m 3 -o /dev/null $u/healthz || echo $u; done; true')
DEP=$(echo $BAD | sed -E 's#^http://([^:]+):.*#\1#')
PORT=$(echo $BAD | sed -E 's#.*:([0-9]+)$#\1#')
DEPC=$(docker ps --format '{{.Names}}' | grep -- "-$DEP\$")
echo "the storefront cannot reach $DEP (port $PORT, container $DEPC)"

# -- 3. Is the service itself alive? Ask it from its own container --------------------------------
docker exec $DEPC curl -sS -m 3 http://127.0.0.1:$PORT/healthz
# It answers: the service is fine, the path is not. Two places can cut it: the network attachment, or a firewall on the storefront's side.
NET=$(docker network ls --format '{{.Name}}' | grep -- '-backend$')
docker network inspect --format '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{println}}{{end}}' $NET
docker inspect --format '{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{$e.IPAddress}} aliases={{$e.Aliases}}{{println}}{{end}}' $DEPC
#@ evidence
docker exec $API iptables -L OUTPUT -n -v --line-numbers

# -- 4. Keep the evidence: the rules and the network's view, as they are now ------------------------
docker exec $API iptables-save > api-firewall-before.rules
docker network inspect $NET > backend-network-before.json

# -- 5. Name the break: a DROP/REJECT rule for that address or port, or a missing attachment --------
ADDR=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' $DEPC)
NUM=$(docker exec $API iptables -L OUTPUT -n --line-numbers | awk -v ip="$ADDR" -v port="dpt:$PORT" '($2 == "DROP" || $2 == "REJECT") && ((ip != "" && $6 == ip) || index($0, port " ") || $0 ~ port "$") {print $1}' | head -n 1)
ATTACHED=$(docker network inspect --format '{{range .Containers}}{{.Name}}{{println}}{{end}}' $NET | grep -cx -- "$DEPC"; true)
CAUSE=$(if [ -n "$NUM" ]; then echo firewall-rule; elif [ "$ATTACHED" = 0 ]; then echo network-detached; else echo unknown; fi)
echo "cause: $CAUSE (rule number: ${NUM:-none}, attached to the backend network: $ATTACHED)"

# -- 6. Smallest change: remove exactly that rule, or reattach the container under its service name --
if [ -n "$NUM" ]; then docker exec $API iptables -D OUTPUT $NUM; fi
if [ "$ATTACHED" = 0 ]; then docker network connect --alias $DEP $NET $DEPC; fi

# -- 7. Verify: the same test from the same side, the rules, the customers -------------------------
docker exec $API curl -sS -m 3 $BAD/healthz
docker exec $API iptables -S OUTPUT
# The Customers chart shows them served normally again; the report counts the incident mitigated after 30 s of it.
sleep 40
docker logs --tail 1 $DEPC

# -- 8. Report. A learner fills in the session page; scenario:verify reads these lines. -------------
echo "SICKBAY_DIAGNOSIS category=$CAUSE decision=fix-in-place culprit=$DEP"
echo "SICKBAY_REASON The KeyError was a symptom: the storefront could not reach $DEP ($CAUSE), and its client hid the network error. Removing only the block (no restart) restored the path and kept the evidence and the standing firewall rules."
echo "SICKBAY_UPDATE Customers could not check out: every checkout failed with an error. Cause: the storefront could not reach the internal $DEP service ($CAUSE); it was a network block, not a code bug. We removed only that block, without restarting anything, and checkouts succeed again. Next: we will monitor checkouts for 30 minutes, add a connectivity check for each upstream to the health check, and make the client log upstream errors."
