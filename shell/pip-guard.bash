# pip-guard shell integration for bash.
#
# Routes pip, pip3, pip3.N and `python… -m pip` through pip-guard, which
# explains the Nix way before anything is installed; every other python
# call runs python untouched. `command pip …` bypasses the guard.
#
# Add to ~/.bashrc:
#   eval "$(pip-guard init bash)"
# (or `source /path/to/shell/pip-guard.bash` with pip-guard on PATH).

__pip_guard_bin=$(builtin type -P pip-guard) # pip-guard:bin
export PIP_GUARD_SHELL=bash

# `pip-guard doctor` run from this shell is told what `pip` resolves to
# here (doctor, a child process, cannot see functions or aliases); every
# other call is the command on PATH, as without this function.
function pip-guard {
	if [[ ${1-} == doctor ]]; then
		PIP_GUARD_PIP_TYPE=$(builtin type pip 2>&1) command pip-guard "$@"
	else
		command pip-guard "$@"
	fi
}

# Run pip-guard as the pip called $1 (pip, pip3, pip3.N).
function __pip_guard_pip {
	if [[ -z ${__pip_guard_bin-} ]]; then
		builtin printf 'pip-guard: not found; run "command %s" to bypass the guard\n' "$1" >&2
		return 127
	fi
	"$__pip_guard_bin" "$@"
}

# `python [options] -m pip ARGS`? Then set __pip_guard_skip to the number
# of arguments before ARGS. Reads options the way CPython does: clusters
# (-Im pip), attached values (-mpip, -Wignore), -W/-X/--check-hash-based-pycs
# take a value; -c, a script, `-`, `--` or a long option end the search.
function __pip_guard_is_pip {
	local -a args=("$@")
	local k=0 n=$# a c j mod
	while ((k < n)); do
		a=${args[k]}
		case $a in
		--check-hash-based-pycs) k=$((k + 2)) ;;
		-[!-]*)
			j=1
			while ((j < ${#a})); do
				c=${a:j:1}
				case $c in
				m)
					if ((j + 1 < ${#a})); then
						mod=${a:j+1}
						k=$((k + 1))
					else
						mod=${args[k + 1]-}
						k=$((k + 2))
					fi
					[[ $mod == pip ]] || return 1
					__pip_guard_skip=$k
					return 0
					;;
				c) return 1 ;;
				W | X)
					((j + 1 < ${#a})) || k=$((k + 1))
					break
					;;
				*) j=$((j + 1)) ;;
				esac
			done
			k=$((k + 1))
			;;
		*) return 1 ;;
		esac
	done
	return 1
}

# Run the python called $1 with the rest, unless it is `-m pip`.
function __pip_guard_python {
	local py=$1 __pip_guard_skip=0 exe
	shift
	if [[ -n ${__pip_guard_bin-} ]] && __pip_guard_is_pip "$@"; then
		exe=$(builtin type -P "$py") || exe=$py
		PIP_GUARD_PYTHON=$exe "$__pip_guard_bin" pip "${@:__pip_guard_skip+1}"
	else
		\command "$py" "$@"
	fi
}

function pip { __pip_guard_pip pip "$@"; }
function pip3 { __pip_guard_pip pip3 "$@"; }
function python { __pip_guard_python python "$@"; }
function python3 { __pip_guard_python python3 "$@"; }

# Versioned names (bash in POSIX mode allows no dot in a function name).
if ! builtin shopt -oq posix; then
	function pip3.8 { __pip_guard_pip pip3.8 "$@"; }
	function pip3.9 { __pip_guard_pip pip3.9 "$@"; }
	function pip3.10 { __pip_guard_pip pip3.10 "$@"; }
	function pip3.11 { __pip_guard_pip pip3.11 "$@"; }
	function pip3.12 { __pip_guard_pip pip3.12 "$@"; }
	function pip3.13 { __pip_guard_pip pip3.13 "$@"; }
	function pip3.14 { __pip_guard_pip pip3.14 "$@"; }
	function python3.8 { __pip_guard_python python3.8 "$@"; }
	function python3.9 { __pip_guard_python python3.9 "$@"; }
	function python3.10 { __pip_guard_python python3.10 "$@"; }
	function python3.11 { __pip_guard_python python3.11 "$@"; }
	function python3.12 { __pip_guard_python python3.12 "$@"; }
	function python3.13 { __pip_guard_python python3.13 "$@"; }
	function python3.14 { __pip_guard_python python3.14 "$@"; }
fi
