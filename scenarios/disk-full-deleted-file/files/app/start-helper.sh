#!/bin/sh
# start-helper.sh <name> — run helper.py under a given process name (see helper.py).
#
# Used by the lab's fault: docker exec -d -e HELPER_ROLE=... <container> /srv/app/start-helper.sh <name>
# Copies helper.py to /usr/local/bin/<name> (it carries a python3 shebang) and execs it, so the
# process's comm is <name>. Names: lowercase letters and dashes, 1-15 characters (comm length).
set -eu

name="${1:-}"
if ! printf '%s\n' "$name" | grep -Eqx '[a-z][a-z-]{0,14}'; then
  echo "usage: start-helper.sh <name>  (lowercase letters and dashes, at most 15)" >&2
  exit 2
fi
if pgrep -x "$name" >/dev/null 2>&1; then
  echo "start-helper.sh: $name is already running" >&2
  exit 0
fi
cp /srv/app/helper.py "/usr/local/bin/$name"
chmod 0755 "/usr/local/bin/$name"
cd /
exec "/usr/local/bin/$name"
