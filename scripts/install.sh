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

# Quote a word for bash and zsh (single quotes, each ' as '\'') and for
# fish (single quotes, \ and ' escaped): the printed lines must work when
# pasted, whatever $HOME holds.
sh_quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
fish_quote() {
	local s=${1//\\/\\\\}
	s=${s//\'/\\\'}
	printf "'%s'" "$s"
}

exe=$prefix/bin/pip-guard
# Never install into a directory that happens to be named bin/pip-guard.
if [[ -d $exe ]]; then
	echo "install.sh: $exe is a directory; move it away first (nothing was installed)" >&2
	exit 1
fi
mkdir -p "$prefix/bin"
if [[ -n $bin ]]; then
	# A temporary file beside the target, then a rename: an existing
	# symlink at $exe is replaced, never written through.
	tmp=$(mktemp "$prefix/bin/.pip-guard.XXXXXX")
	install -m 755 "$bin" "$tmp"
	mv -f "$tmp" "$exe"
else
	cargo install --locked --quiet --path "$repo" --root "$prefix"
fi

# Write a generated file, unless it is a symlink: a completion file linked
# from elsewhere (a dotfiles repository, home-manager) is not ours to
# overwrite, and writing through the link would change its target.
put() {
	local file=$1
	shift
	if [[ -L $file ]]; then
		echo "note: $file is a symlink; left as it is (run: $exe $* > FILE to update its target)"
		return
	fi
	"$exe" "$@" >"$file"
}

mkdir -p "$data/bash-completion/completions" "$data/zsh/site-functions" \
	"$config/fish/completions" "$data/man/man1"
put "$data/bash-completion/completions/pip-guard" completions bash
put "$data/zsh/site-functions/_pip-guard" completions zsh
put "$config/fish/completions/pip-guard.fish" completions fish
put "$data/man/man1/pip-guard.1" man

sq_exe=$(sh_quote "$exe")
fish_exe=$(fish_quote "$exe")
cat <<MSG
pip-guard installed: $exe
  completions: bash, zsh ($data/zsh/site-functions must be in fpath), fish
  man page:    $data/man/man1/pip-guard.1

Route pip through the guard; add to your shell's rc file:
  bash (~/.bashrc):                  eval "\$($sq_exe init bash)"
  zsh (~/.zshrc):                    eval "\$($sq_exe init zsh)"
  fish (~/.config/fish/config.fish): $fish_exe init fish | source
MSG
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "note: $prefix/bin is not on your PATH" ;;
esac
