# pip-guard shell integration for zsh.
#
# Routes pip, pip3, pip3.N and `python… -m pip` through pip-guard, which
# explains the Nix way before anything is installed; every other python
# call runs python untouched. `command pip …` bypasses the guard.
#
# Add to ~/.zshrc:
#   eval "$(pip-guard init zsh)"
# (or `source /path/to/shell/pip-guard.zsh` with pip-guard on PATH).

__pip_guard_bin=${commands[pip-guard]-} # pip-guard:bin
export PIP_GUARD_SHELL=zsh

# `pip-guard doctor` run from this shell is told what `pip` resolves to
# here (doctor, a child process, cannot see functions or aliases); every
# other call is the command on PATH, as without this function.
function pip-guard {
	if [[ ${1-} == doctor ]]; then
		PIP_GUARD_PIP_TYPE="$(builtin whence -w pip; builtin whence -f pip)" command pip-guard "$@"
	else
		command pip-guard "$@"
	fi
}

# Run pip-guard as the pip called $1 (pip, pip3, pip3.N).
function __pip_guard_pip {
	emulate -L zsh
	if [[ -z ${__pip_guard_bin-} ]]; then
		print -ru2 -- "pip-guard: not found; run \"command $1\" to bypass the guard"
		return 127
	fi
	"$__pip_guard_bin" "$@"
}

# `python [options] -m pip ARGS`? Then set __pip_guard_skip to the number
# of arguments before ARGS. Reads options the way CPython does: clusters
# (-Im pip), attached values (-mpip, -Wignore), -W/-X/--check-hash-based-pycs
# take a value; -c, a script, `-`, `--` or a long option end the search.
function __pip_guard_is_pip {
	emulate -L zsh
	local -a args
	args=("$@")
	local -i k=1 n=$# j
	local a c mod
	while (( k <= n )); do
		a=${args[k]}
		case $a in
		(--check-hash-based-pycs) k=$(( k + 2 )) ;;
		(-[^-]*)
			j=2
			while (( j <= ${#a} )); do
				c=${a[j]}
				case $c in
				(m)
					if (( j < ${#a} )); then
						mod=${a[j+1,-1]}
						k=$(( k + 1 ))
					else
						mod=${args[k+1]-}
						k=$(( k + 2 ))
					fi
					[[ $mod == pip ]] || return 1
					__pip_guard_skip=$(( k - 1 ))
					return 0
					;;
				(c) return 1 ;;
				(W|X)
					(( j < ${#a} )) || k=$(( k + 1 ))
					break
					;;
				(*) j=$(( j + 1 )) ;;
				esac
			done
			k=$(( k + 1 ))
			;;
		(*) return 1 ;;
		esac
	done
	return 1
}

# Run the python called $1 with the rest, unless it is `-m pip`.
function __pip_guard_python {
	emulate -L zsh
	local py=$1 exe
	local -i __pip_guard_skip=0
	shift
	if [[ -n ${__pip_guard_bin-} ]] && __pip_guard_is_pip "$@"; then
		exe=${commands[$py]-$py}
		PIP_GUARD_PYTHON=$exe "$__pip_guard_bin" pip "${@[__pip_guard_skip+1,-1]}"
	else
		command "$py" "$@"
	fi
}

function pip { __pip_guard_pip pip "$@" }
function pip3 { __pip_guard_pip pip3 "$@" }
function python { __pip_guard_python python "$@" }
function python3 { __pip_guard_python python3 "$@" }
function pip3.8 { __pip_guard_pip pip3.8 "$@" }
function pip3.9 { __pip_guard_pip pip3.9 "$@" }
function pip3.10 { __pip_guard_pip pip3.10 "$@" }
function pip3.11 { __pip_guard_pip pip3.11 "$@" }
function pip3.12 { __pip_guard_pip pip3.12 "$@" }
function pip3.13 { __pip_guard_pip pip3.13 "$@" }
function pip3.14 { __pip_guard_pip pip3.14 "$@" }
function python3.8 { __pip_guard_python python3.8 "$@" }
function python3.9 { __pip_guard_python python3.9 "$@" }
function python3.10 { __pip_guard_python python3.10 "$@" }
function python3.11 { __pip_guard_python python3.11 "$@" }
function python3.12 { __pip_guard_python python3.12 "$@" }
function python3.13 { __pip_guard_python python3.13 "$@" }
function python3.14 { __pip_guard_python python3.14 "$@" }
