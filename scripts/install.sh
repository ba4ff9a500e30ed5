#!/usr/bin/env bash
# Install pip-guard for the current user: the binary, shell completions and
# the man page, then print the line to add to your shell's rc file.
#
#   scripts/install.sh                 # cargo install --path . into ~/.local
#   scripts/install.sh --bin PATH      # install an already built binary instead
#   PREFIX=/opt/pg scripts/install.sh  # another prefix (default ~/.local)
#
# Where things go (XDG_DATA_HOME / XDG_CONFIG_HOME respected):
#   $PREFIX/bin/pip-guard
#   $XDG_DATA_HOME/bash-completion/completions/pip-guard
#   $XDG_DATA_HOME/zsh/site-functions/_pip-guard   (add it to fpath)
#   $XDG_CONFIG_HOME/fish/completions/pip-guard.fish
#   $XDG_DATA_HOME/man/man1/pip-guard.1
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
bin=""

while (($#)); do
	case $1 in
	--bin)
		bin=${2:?--bin needs a path}
		shift 2
		;;
	-h | --help)
		sed -n '2,16p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	*)
		echo "install.sh: unknown argument: $1 (try --help)" >&2
		exit 2
		;;
	esac
done

mkdir -p "$prefix/bin"
if [[ -n $bin ]]; then
	install -m 755 "$bin" "$prefix/bin/pip-guard"
else
	cargo install --locked --quiet --path "$repo" --root "$prefix"
fi
exe=$prefix/bin/pip-guard

mkdir -p "$data/bash-completion/completions" "$data/zsh/site-functions" \
	"$config/fish/completions" "$data/man/man1"
"$exe" completions bash >"$data/bash-completion/completions/pip-guard"
"$exe" completions zsh >"$data/zsh/site-functions/_pip-guard"
"$exe" completions fish >"$config/fish/completions/pip-guard.fish"
"$exe" man >"$data/man/man1/pip-guard.1"

cat <<MSG
pip-guard installed: $exe
  completions: bash, zsh ($data/zsh/site-functions must be in fpath), fish
  man page:    $data/man/man1/pip-guard.1

Route pip through the guard; add to your shell's rc file:
  bash (~/.bashrc):                  eval "\$($exe init bash)"
  zsh (~/.zshrc):                    eval "\$($exe init zsh)"
  fish (~/.config/fish/config.fish): $exe init fish | source
MSG
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "note: $prefix/bin is not on your PATH" ;;
esac
