#!/usr/bin/env bash
# Runs the real-keyring tests (tests/secret_service.rs, ignored by default) against a throwaway
# GNOME Keyring in a private D-Bus session, so a headless machine or CI proves the Secret Service
# path end to end: each broken setup is explained, the advice given fixes it, and a token survives
# a round trip. Installs what is missing with apt (needs root). Touches no real keyring: the keyring
# files and sockets live in a temporary directory removed on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
started=$(date +%s)

need=()
command -v dbus-run-session >/dev/null || need+=(dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
if ((${#need[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "secret-service-test: missing packages: ${need[*]}; install them (as root: apt-get install ${need[*]})" >&2
        exit 2
    fi
    echo "secret-service-test: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Build outside the keyring session, so compile errors are reported plainly and the session is short.
cargo test --locked --test secret_service --no-run

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/runtime" "$scratch/data"
# gnome-keyring keeps keyrings in $XDG_DATA_HOME/keyrings and its sockets in $XDG_RUNTIME_DIR; the
# session bus fallback socket ($XDG_RUNTIME_DIR/bus) does not exist there either.
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
# No display: nothing may depend on an unlock prompt being shown.
unset DISPLAY WAYLAND_DISPLAY

run_test() { cargo test --locked --test secret_service -- --ignored --exact "$@"; }
export -f run_test

echo "secret-service-test: 1. no session bus" >&2
env -u DBUS_SESSION_BUS_ADDRESS AZDO_GATE_EXPECT_UNAVAILABLE="no D-Bus session bus" \
    bash -c 'run_test an_unusable_keyring_is_explained'

# The daemon exits with the session bus when dbus-run-session ends. Expected noise on stderr:
# dbus-daemon cannot raise its fd limit in a container, and in step 4 the unlock prompter
# (gcr-prompter) finds no display.
dbus-run-session -- bash -euo pipefail -c '
    step() { echo "secret-service-test: $*" >&2; }

    step "2. a provider started by D-Bus activation, without a login keyring"
    AZDO_GATE_EXPECT_UNAVAILABLE="has no default keyring" run_test an_unusable_keyring_is_explained

    step "3. after the advised fix: round trips"
    printf %s azdo-gate-test | gnome-keyring-daemon --replace --unlock >/dev/null
    run_test a_token_survives_a_round_trip_and_is_gone_after_delete the_async_helpers_work_from_inside_the_runtime

    step "4. a locked keyring"
    AZDO_GATE_THROWAWAY_KEYRING=1 run_test locked::a_locked_keyring_is_reported_as_locked

    step "5. after the advised fix: round trip"
    printf %s azdo-gate-test | gnome-keyring-daemon --replace --unlock >/dev/null
    run_test a_token_survives_a_round_trip_and_is_gone_after_delete
'

echo "secret-service-test: passed in $(($(date +%s) - started)) s" >&2
