#!/usr/bin/env bash
# log-flood: the reference solution, as the commands a careful on-call types at the Sickbay
# console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: the config file, the wrong key and its right value are found
# by the commands themselves, from the worker's first lines and the dependency's own log.
# `npm run scenario:verify` types this file into live sessions and expects every goal met and a
# total of 85 or more (docs/scenarios.md, "Verifying a scenario").
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $WORKER   the notification worker's container, e.g. sickbay-3f2a9c0b1d4e-worker
#   $GATEWAY  the dependency it delivers through (mail relay, SMS gateway, ... by run)
# Variables this script sets as it goes: CONF, GW, HOST, PORT, TLS, APIPATH, KEYID, PREFIX,
# TOKDIR, TOKEN, FIX, KEY, VALUE, STATUS.
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis.

# -- 1. Outside first: who is unhappy, and how loud is the log? -------------------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
# Never `docker logs` without a bound on a flooding container: ask for the tail, or a time window.
docker logs --tail 5 $WORKER
docker logs --since 10s $WORKER 2>&1 | wc -l
docker logs --since 10s $WORKER 2>&1 | grep -c retrying
docker inspect --format 'status={{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}} cmd={{.Path}} {{.Args}}' $WORKER
# ~100 lines a second, nearly all "not delivered, retrying": a loop, not a burst of work. The dependency is up:
docker logs --tail 6 $GATEWAY

# -- 2. The lines that matter: what is not a retry, from the start of the log ------------------------
# `head` ends the read after a few lines, so this costs next to nothing even on a huge log.
#@ evidence
docker logs $WORKER 2>&1 | grep -v -e retrying -e 'events: n-' | head -n 6
# The full error is repeated every few minutes too: the last one is within a short window.
docker logs --since 4m $WORKER 2>&1 | grep -m 2 ERROR

# -- 3. Read-only inside: the config the worker loaded, and what the dependency says it expects -----
CONF=$(docker exec $WORKER ps -o args= -p 1 | sed 's/.*--config //')
#@ evidence
docker exec $WORKER cat $CONF
GW=$(docker logs $GATEWAY 2>&1 | head -n 2)
echo "$GW"
HOST=$(echo "$GW" | sed -n -E 's|.*serving https?://([^:/]+):.*|\1|p')
PORT=$(echo "$GW" | sed -n -E 's/.*listening on [0-9.]+:([0-9]+).*/\1/p')
TLS=$(echo "$GW" | grep -q 'no TLS' && echo no || echo yes)
APIPATH=$(echo "$GW" | sed -n -E 's/.*API: POST ([^ ]+) .*/\1/p')
KEYID=$(echo "$GW" | sed -n -E 's/.*active token key ([a-z0-9]+) .*/\1/p')
echo "dependency: host=$HOST port=$PORT tls=$TLS path=$APIPATH key=$KEYID"

# -- 4. Keep the evidence before changing anything ---------------------------------------------------
docker cp $WORKER:$CONF ./worker.conf.orig
docker logs --tail 3000 $WORKER > worker-flood.log 2>&1
# Which token file holds the active key? (-l prints file names only, never the token.)
PREFIX=$(grep -oE '^[a-z_]+_host' worker.conf.orig | sed 's/_host$//')
TOKDIR=$(dirname $(sed -n "s/^${PREFIX}_token_file = //p" worker.conf.orig))
docker exec $WORKER ls -l $TOKDIR
TOKEN=$(docker exec $WORKER sh -c "grep -l '^$KEYID[.]' $TOKDIR/*")
# Compare what the worker is configured with to what the dependency expects: exactly one key differs.
FIX=$(for kv in host=$HOST port=$PORT tls=$TLS api_path=$APIPATH token_file=$TOKEN; do k=${PREFIX}_${kv%%=*}; v=${kv#*=}; cur=$(sed -n "s/^$k = //p" worker.conf.orig); [ "$cur" = "$v" ] || echo "$k $v"; done)
echo "$FIX"
KEY=${FIX%% *}
VALUE=${FIX#* }
test -n "$KEY" -a "$(echo "$FIX" | wc -l)" = 1

# -- 5. Smallest change: that one line, in place; the worker re-reads the file when it changes ------
docker exec $WORKER sed -i "s|^$KEY = .*|$KEY = $VALUE|" $CONF
docker exec $WORKER grep -n "^$KEY = " $CONF

# -- 6. Verify: the reload line, deliveries, the backlog, the log rate --------------------------------
sleep 5
docker logs --since 15s $WORKER 2>&1 | grep -v -e retrying -e 'events: n-' -e 'delivered n-' | head -n 5
sleep 12
docker logs --since 10s $WORKER 2>&1 | wc -l
STATUS=$(docker logs $WORKER 2>&1 | grep -m 1 -o 'status page on :[0-9]*' | sed 's/.*://')
docker exec $WORKER curl -s localhost:$STATUS/status
docker logs --tail 2 $GATEWAY
# The Customers chart shows their notifications on time again once the backlog has gone out; the
# report counts the incident mitigated after 30 s of it.
sleep 30

# -- 7. Report. A learner fills in the session page; scenario:verify reads these lines. --------------
echo "SICKBAY_DIAGNOSIS category=wrong-config decision=fix-in-place culprit=$KEY"
echo "SICKBAY_REASON One setting, $KEY in $CONF, made every delivery fail; correcting it in the file the worker re-reads fixed deliveries and ended the retry loop, with no restart and no queued notification lost."
echo "SICKBAY_UPDATE Customers did not receive their notifications for several minutes and the worker's log was flooded with retries. Cause: a wrong setting ($KEY) in the worker's configuration made every delivery fail, and the worker retried without pause. We fixed that one setting in place, without a restart: deliveries resumed, the queued notifications have gone out and the log is back to normal. Next: we will monitor delivery for the next 30 minutes, add a backoff to the retries, and alert on log rate and queue depth."
