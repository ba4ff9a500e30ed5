#!/usr/bin/env bash
# Install what pip-guard's tests need. Idempotent, non-interactive, fast when
# everything is already there (no network, no python start-up).
#
#   - Debian packages: nix-bin (nix-instantiate --parse), zsh, fish, hyperfine,
#     shellcheck, gcc, python3-dev, python3-venv, python3-pip and python3-yaml (Debian's externally-managed
#     /usr/bin/python3 and its pip are a test subject: never modified here).
#   - .venv-test/ at the repo root: a virtualenv with pip==26.3 (pinned), the
#     oracle for pip's own parsers. Tests find it at $PIP_GUARD_TEST_VENV or
#     <repo>/.venv-test.
#   - .venv-backends/ at the repo root: pip==26.3 and the build backends
#     (pinned) that tests/project_differential.rs builds its corpus of local
#     projects with (pip install --dry-run --report --no-build-isolation).
#     Tests find it at $PIP_GUARD_BACKENDS_VENV or <repo>/.venv-backends.
#
# Runs as root (apt-get); set PIP_GUARD_SETUP_NO_APT=1 to skip the apt part.
set -euo pipefail

PIP_VERSION=26.3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PIP_GUARD_TEST_VENV:-$repo/.venv-test}

log() { printf 'tests/setup.sh: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
# "command package" pairs: install the package when the command is missing.
need=()
check() {
	local cmd=$1 pkg=$2
	if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x $cmd ]]; then
		need+=("$pkg")
	fi
}
check nix-instantiate nix-bin
check zsh zsh
check fish fish
check hyperfine hyperfine
check shellcheck shellcheck
# Debian's python3 with venv and pip (the guard's end-to-end tests use its pip).
if [[ ! -x /usr/bin/python3 ]]; then
	need+=(python3)
fi
if ! /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
	need+=(python3-venv)
fi
if [[ ! -d /usr/lib/python3/dist-packages/pip ]]; then
	need+=(python3-pip)
fi
# gcc and CPython's headers: the wheel tests compile real extension modules.
check gcc gcc
if [[ ! -f /usr/include/python3.11/Python.h ]]; then
	need+=(python3-dev)
fi
# PyYAML for Debian's python3: the docs test reads .pre-commit-hooks.yaml with it.
if ! /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then
	need+=(python3-yaml)
fi

if ((${#need[@]})) && [[ ${PIP_GUARD_SETUP_NO_APT:-} != 1 ]]; then
	log "installing Debian packages: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	sudo=()
	if [[ $(id -u) != 0 ]]; then sudo=(sudo -n); fi
	# Wait for another apt (a parallel run) instead of failing on its lock.
	apt=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600)
	"${apt[@]}" update -qq </dev/null
	"${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
fi

# nix-instantiate --parse needs no daemon, but wants its state directories.
if command -v nix-instantiate >/dev/null 2>&1 && [[ ! -d /nix/var/nix ]] && [[ -w / ]]; then
	mkdir -p /nix/var/nix
fi

# --- the pinned-pip virtualenv ---------------------------------------------
have_pinned_pip() {
	[[ -x $venv/bin/python ]] || return 1
	compgen -G "$venv/lib/python3*/site-packages/pip-$PIP_VERSION.dist-info" >/dev/null
}

if ! have_pinned_pip; then
	# Any python3 with a working venv module; Debian's is fine (making a venv
	# from it does not touch it).
	base=""
	for cand in "${PIP_GUARD_BOOTSTRAP_PYTHON:-}" /usr/bin/python3 "$(command -v python3 || true)"; do
		if [[ -n $cand && -x $cand ]] && "$cand" -c 'import venv, ensurepip' >/dev/null 2>&1; then
			base=$cand
			break
		fi
	done
	if [[ -z $base ]]; then
		log "no python3 with the venv module found (install python3-venv)"
		exit 1
	fi
	log "creating $venv from $base with pip==$PIP_VERSION"
	rm -rf "$venv"
	"$base" -m venv "$venv"
	PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q "pip==$PIP_VERSION" </dev/null
	have_pinned_pip || {
		log "pip==$PIP_VERSION did not install into $venv"
		exit 1
	}
fi

# --- the build backends' virtualenv (tests/project_differential.rs) ---------
backends=${PIP_GUARD_BACKENDS_VENV:-$repo/.venv-backends}
# name==version, and the dist-info directory name each one installs.
BACKENDS=(hatchling==1.33.0 setuptools==84.2.1 flit-core==4.2.0 poetry-core==2.5.0 pdm-backend==2.5.0)
DISTINFO=(hatchling-1.33.0 setuptools-84.2.1 flit_core-4.2.0 poetry_core-2.5.0 pdm_backend-2.5.0)
have_backends() {
	[[ -x $backends/bin/python ]] || return 1
	compgen -G "$backends/lib/python3*/site-packages/pip-$PIP_VERSION.dist-info" >/dev/null || return 1
	local d
	for d in "${DISTINFO[@]}"; do
		compgen -G "$backends/lib/python3*/site-packages/$d.dist-info" >/dev/null || return 1
	done
}
if ! have_backends; then
	log "creating $backends with pip==$PIP_VERSION and ${BACKENDS[*]}"
	if [[ ! -x $backends/bin/python ]]; then
		/usr/bin/python3 -m venv "$backends"
	fi
	PIP_DISABLE_PIP_VERSION_CHECK=1 "$backends/bin/python" -m pip install -q "pip==$PIP_VERSION" "${BACKENDS[@]}" </dev/null
	have_backends || {
		log "the build backends did not install into $backends"
		exit 1
	}
fi

exit 0
