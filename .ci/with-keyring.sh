#!/bin/sh
# Run "$@" with a private D-Bus session bus and an unlocked throwaway gnome-keyring,
# so keyring's SecretService backend (a real OS keyring) is the one under test.
# Needs Debian's gnome-keyring dbus dbus-daemon dbus-x11 (.ci/run installs them).
set -eu
HOME="$(mktemp -d)"
XDG_DATA_HOME="$HOME/.local/share"
XDG_RUNTIME_DIR="$HOME/run"
export HOME XDG_DATA_HOME XDG_RUNTIME_DIR
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
status=0
dbus-run-session -- sh -c '
  printf %s ci-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' sh "$@" || status=$?
# A daemon occasionally outlives its bus; stop only the one started for this run.
for pid in $(pgrep -x gnome-keyring-d 2>/dev/null || true); do
  if { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; then
    kill "$pid" 2>/dev/null || true
  fi
done
rm -rf "$HOME"
exit $status
