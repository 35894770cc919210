#!/bin/sh
# start-api.sh — the api container's command: run api.py as /usr/local/bin/<APP_NAME>-api, so the
# API's process name is e.g. "orders-api" (PID 1: exec, no shell left behind).
set -eu
app="${APP_NAME:-orders}"
cp /srv/app/api.py "/usr/local/bin/$app-api"
chmod 0755 "/usr/local/bin/$app-api"
exec "/usr/local/bin/$app-api"
