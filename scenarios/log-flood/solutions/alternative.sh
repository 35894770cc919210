#!/usr/bin/env bash
# log-flood: an alternative expert path for the fairness corpus (issue 17). It starts from the
# dependency's side (what the gateway announces and what its /stats says it rejects), reads the
# worker's own /status page instead of digging its first lines out of the flood, fixes a copy of
# the config in the console, diffs it against the original, copies it back with `docker cp` and
# reloads with SIGHUP (`kill -HUP 1`, the worker's documented reload) instead of `sed -i` in place
# and the file watch. `npm run scenario:verify -- --fairness` types it like the reference and
# expects every goal met and a total of 85 or more.
#
# Nothing below knows the answer: which key is wrong and its right value come from the
# gateway's announcement compared with the worker's config.
# Placeholders: $WORKER   the notification worker's container, e.g. sickbay-3f2a9c0b1d4e-worker
#               $GATEWAY  the dependency it delivers through (mail relay, SMS gateway, ... by run)
# Variables this script sets as it goes: GW, GPORT, HOST, TLS, APIPATH, KEYID, WPORT, CONF, P,
# TOKDIR, TOKEN, KEY.

# -- 1. Outside first: who is unhappy, and how loud is the worker? -------------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker logs --since 10s $WORKER 2>&1 | wc -l
docker logs --since 10s $WORKER 2>&1 | tail -n 3
docker inspect --format 'status={{.State.Status}} health={{.State.Health.Status}} restarts={{.RestartCount}}' $WORKER

# -- 2. The dependency's side: is it up, what does it say it serves, what does it refuse? --------
docker logs --tail 4 $GATEWAY
GW=$(docker logs $GATEWAY 2>&1 | head -n 2)
echo "$GW"
GPORT=$(echo "$GW" | sed -n -E 's/.*listening on [0-9.]+:([0-9]+).*/\1/p')
HOST=$(echo "$GW" | sed -n -E 's|.*serving https?://([^:/]+):.*|\1|p')
TLS=$(echo "$GW" | grep -q 'no TLS' && echo no || echo yes)
APIPATH=$(echo "$GW" | sed -n -E 's/.*API: POST ([^ ]+) .*/\1/p')
KEYID=$(echo "$GW" | sed -n -E 's/.*active token key ([a-z0-9]+) .*/\1/p')
# Its own counters: nothing received (the worker never reaches it) or rejections, by reason.
docker exec $GATEWAY curl -s localhost:$GPORT/stats | jq .

# -- 3. The worker's side, read-only: its status page says where it sends and what fails ---------
# Its status page listens on every address (Docker's own DNS listens on 127.0.0.11 beside it):
WPORT=$(docker exec $WORKER ss -Hltn | awk '$4 ~ /^0[.]0[.]0[.]0:/ {sub(/.*:/, "", $4); print $4}' | head -n 1)
#@ evidence
docker exec $WORKER curl -s localhost:$WPORT/status
CONF=$(docker exec $WORKER curl -s localhost:$WPORT/status | jq -r .config)
#@ evidence
docker exec $WORKER grep -v -e '^#' -e '^$' $CONF

# -- 4. Keep the evidence before changing anything: the config as it is, and the flood's tail ----
docker cp $WORKER:$CONF ./worker.conf.orig
docker logs --tail 3000 $WORKER > worker-flood.log 2>&1

# -- 5. Write what the gateway announces into a copy, and diff it against the original ------------
P=$(sed -n -E 's/^([a-z_]+)_host = .*/\1/p' worker.conf.orig)
TOKDIR=$(dirname $(sed -n "s/^${P}_token_file = //p" worker.conf.orig))
# Which token file holds the active key? (-l prints file names only, never the token.)
TOKEN=$(docker exec $WORKER grep -rl "^$KEYID[.]" $TOKDIR)
echo "gateway: host=$HOST port=$GPORT tls=$TLS path=$APIPATH token=$TOKEN"
cp worker.conf.orig worker.conf.fixed
sed -i -E -e "s|^(${P}_host) = .*|\1 = $HOST|" -e "s|^(${P}_port) = .*|\1 = $GPORT|" -e "s|^(${P}_tls) = .*|\1 = $TLS|" -e "s|^(${P}_api_path) = .*|\1 = $APIPATH|" -e "s|^(${P}_token_file) = .*|\1 = $TOKEN|" worker.conf.fixed
diff worker.conf.orig worker.conf.fixed | tee conf.diff
# Exactly one line differs: that is the wrong setting.
test "$(grep -c '^>' conf.diff)" = 1
KEY=$(sed -n -E 's/^> ([a-z_]+) = .*/\1/p' conf.diff)

# -- 6. Smallest change: the corrected file back in place, then the documented reload -------------
docker cp ./worker.conf.fixed $WORKER:$CONF
docker exec $WORKER kill -HUP 1

# -- 7. Verify from both sides: the reload line, the worker's counters, the gateway's -------------
sleep 5
docker logs --since 15s $WORKER 2>&1 | grep -e reloaded -e 'accepts deliveries' | head -n 3
sleep 12
docker exec $WORKER curl -s localhost:$WPORT/status | jq '{queued, consecutiveFailures, lastError, delivered}'
docker exec $GATEWAY curl -s localhost:$GPORT/stats | jq '{accepted10s, rejected10s}'
docker logs --since 10s $WORKER 2>&1 | wc -l

# -- 8. Report ------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=wrong-config decision=fix-in-place culprit=$KEY"
echo "SICKBAY_REASON The gateway is up and says what it serves; the worker's config differs from that in exactly one setting, $KEY in $CONF, so every delivery failed and was retried at once. Correcting that line and reloading with SIGHUP fixed it without a restart, so no queued notification was lost."
echo "SICKBAY_UPDATE Customers did not receive their notifications for several minutes and the worker's log was flooded with retries. Cause: a wrong setting ($KEY) in the worker's configuration made every delivery fail, and the worker retried without pause. We corrected that one setting and reloaded the worker's configuration, without a restart: deliveries resumed, the queued notifications went out and the log is back to normal. Next: we will monitor delivery for the next 30 minutes, add a backoff to the retries, and alert on log rate and queue depth."
