# pip-guard shell integration for fish.
#
# Routes pip, pip3, pip3.N and `python… -m pip` through pip-guard, which
# explains the Nix way before anything is installed; every other python
# call runs python untouched. `command pip …` bypasses the guard.
#
# Add to ~/.config/fish/config.fish:
#   pip-guard init fish | source
# (or `source /path/to/shell/pip-guard.fish` with pip-guard on PATH).

set -g __pip_guard_bin (command -s pip-guard) # pip-guard:bin
set -gx PIP_GUARD_SHELL fish

# `pip-guard doctor` run from this shell is told what `pip` resolves to
# here (doctor, a child process, cannot see functions); every other call
# is the command on PATH, as without this function.
function pip-guard
    if test "$argv[1]" = doctor
        set -lx PIP_GUARD_PIP_TYPE (type pip 2>&1 | string collect)
        command pip-guard $argv
    else
        command pip-guard $argv
    end
end

# Run pip-guard as the pip called $argv[1] (pip, pip3, pip3.N).
function __pip_guard_pip
    if test -z "$__pip_guard_bin"
        printf 'pip-guard: not found; run "command %s" to bypass the guard\n' $argv[1] >&2
        return 127
    end
    $__pip_guard_bin $argv
end

# `python [options] -m pip ARGS`? Then print the number of arguments
# before ARGS. Reads options the way CPython does: clusters (-Im pip),
# attached values (-mpip, -Wignore), -W/-X/--check-hash-based-pycs take a
# value; -c, a script, `-`, `--` or a long option end the search.
function __pip_guard_is_pip
    set -l n (count $argv)
    set -l k 1
    while test $k -le $n
        set -l a $argv[$k]
        switch $a
            case --check-hash-based-pycs
                set k (math $k + 2)
            case -- - '--*'
                return 1
            case '-*'
                set -l len (string length -- $a)
                set -l j 2
                while test $j -le $len
                    set -l c (string sub -s $j -l 1 -- $a)
                    switch $c
                        case m
                            set -l mod
                            if test $j -lt $len
                                set mod (string sub -s (math $j + 1) -- $a)
                                set k (math $k + 1)
                            else
                                set mod $argv[(math $k + 1)]
                                set k (math $k + 2)
                            end
                            test "$mod" = pip; or return 1
                            echo (math $k - 1)
                            return 0
                        case c
                            return 1
                        case W X
                            test $j -lt $len; or set k (math $k + 1)
                            break
                        case '*'
                            set j (math $j + 1)
                    end
                end
                set k (math $k + 1)
            case '*'
                return 1
        end
    end
    return 1
end

# Run the python called $argv[1] with the rest, unless it is `-m pip`.
function __pip_guard_python
    set -l py $argv[1]
    set -l args $argv[2..-1]
    set -l skip
    if test -n "$__pip_guard_bin"; and set skip (__pip_guard_is_pip $args)
        set -l exe (command -s $py); or set exe $py
        PIP_GUARD_PYTHON=$exe $__pip_guard_bin pip $args[(math $skip + 1)..-1]
    else
        command $py $args
    end
end

function pip --description 'pip through pip-guard'
    __pip_guard_pip pip $argv
end
function pip3 --description 'pip3 through pip-guard'
    __pip_guard_pip pip3 $argv
end
function python --description 'python; -m pip through pip-guard'
    __pip_guard_python python $argv
end
function python3 --description 'python3; -m pip through pip-guard'
    __pip_guard_python python3 $argv
end
function pip3.8 --description 'pip3.8 through pip-guard'
    __pip_guard_pip pip3.8 $argv
end
function pip3.9 --description 'pip3.9 through pip-guard'
    __pip_guard_pip pip3.9 $argv
end
function pip3.10 --description 'pip3.10 through pip-guard'
    __pip_guard_pip pip3.10 $argv
end
function pip3.11 --description 'pip3.11 through pip-guard'
    __pip_guard_pip pip3.11 $argv
end
function pip3.12 --description 'pip3.12 through pip-guard'
    __pip_guard_pip pip3.12 $argv
end
function pip3.13 --description 'pip3.13 through pip-guard'
    __pip_guard_pip pip3.13 $argv
end
function pip3.14 --description 'pip3.14 through pip-guard'
    __pip_guard_pip pip3.14 $argv
end
function python3.8 --description 'python3.8; -m pip through pip-guard'
    __pip_guard_python python3.8 $argv
end
function python3.9 --description 'python3.9; -m pip through pip-guard'
    __pip_guard_python python3.9 $argv
end
function python3.10 --description 'python3.10; -m pip through pip-guard'
    __pip_guard_python python3.10 $argv
end
function python3.11 --description 'python3.11; -m pip through pip-guard'
    __pip_guard_python python3.11 $argv
end
function python3.12 --description 'python3.12; -m pip through pip-guard'
    __pip_guard_python python3.12 $argv
end
function python3.13 --description 'python3.13; -m pip through pip-guard'
    __pip_guard_python python3.13 $argv
end
function python3.14 --description 'python3.14; -m pip through pip-guard'
    __pip_guard_python python3.14 $argv
end
