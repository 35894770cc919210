#!/usr/bin/env bash
# disk-full-deleted-file: the reckless way, for contrast. The disk is full, so make room:
#   - no look at the logs, at df against du or at open files before acting, no snapshot;
#   - deletes the old journal files (the records customers were told were saved) — it frees a
#     few MiB at best, because the space is not in any file it can see;
#   - then restarts the API, which does free the volume: it is a tmpfs, so the restart wipes it,
#     taking every remaining record with it, and the evidence (which process held what);
#   - a diagnosis that blames data growth without evidence, and a one-line update.
# `npm run scenario:verify` expects a total of 40 or less. Placeholders as in reference.sh.

VOL=$(docker inspect --format '{{range $path, $opts := .HostConfig.Tmpfs}}{{$path}}{{end}}' $API)
docker exec $API sh -c "rm -rf $VOL/journal/*"
docker restart $API
docker exec $API df -h $VOL
echo "SICKBAY_DIAGNOSIS category=data-growth decision=restart culprit=journal"
echo "SICKBAY_REASON the disk was full of old data"
echo "SICKBAY_UPDATE Cleaned up the disk and restarted, it works now."
