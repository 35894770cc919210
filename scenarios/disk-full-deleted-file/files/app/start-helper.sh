#!/bin/sh
# start-helper.sh <name> — run helper.py under a given process name (see helper.py); what it
# does comes from its environment (HELPER_ROLE, ...).
set -eu
cd /
exec run-named "${1:-}" /srv/app/helper.py
