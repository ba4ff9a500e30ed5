"""Compare what pip-guard read from a local project with pip's requires_dist.

Run by tests/project_differential.rs with the backends venv's python (its
`packaging` is the library pip vendors). Input (stdin, JSON):

    {"name": ..., "requires_dist": [...], "provides_extra": [...],
     "requires_python": {"pip": ..., "guard": ...},
     "guard": {"": [PEP 508 strings], "<extra>": [...], ...}}

`guard[k]` is what pip-guard lists for the project with extra `k` asked
("" = none): its own strings, without the `extra == ...` marker pip adds.
For every extra asked and every environment of a grid (Python 3.8-3.13,
Linux/Windows/macOS, CPython/PyPy, two machines), the requirements that
apply must be the same on both sides: same name, extras, specifier set and
URL. pip's self-references (`proj[a]; extra == "all"`) are expanded the way
pip's resolver expands them. Prints one line per difference; none = equal.
"""

import itertools
import json
import sys

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, canonicalize_version

PYTHONS = ["3.8.10", "3.9.18", "3.10.13", "3.11.9", "3.12.3", "3.13.1"]
PLATFORMS = [("linux", "Linux", "posix"), ("win32", "Windows", "nt"), ("darwin", "Darwin", "posix")]
IMPLS = [("cpython", "CPython"), ("pypy", "PyPy")]
MACHINES = ["x86_64", "armv7l"]


def envs():
    for py, (plat, system, os_name), (impl, pyimpl), machine in itertools.product(
        PYTHONS, PLATFORMS, IMPLS, MACHINES
    ):
        yield {
            "python_version": ".".join(py.split(".")[:2]),
            "python_full_version": py,
            "sys_platform": plat,
            "platform_system": system,
            "os_name": os_name,
            "implementation_name": impl,
            "platform_python_implementation": pyimpl,
            "implementation_version": py,
            "platform_machine": machine,
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }


def key(r):
    specs = sorted(
        s.operator + canonicalize_version(s.version, strip_trailing_zero=s.operator != "~=")
        for s in r.specifier
    )
    return (canonicalize_name(r.name), tuple(sorted(canonicalize_name(e) for e in r.extras)), tuple(specs), r.url)


def pip_applies(name, reqs, env, extras, seen=()):
    out = set()
    for r in reqs:
        hit = False
        for x in extras or [""]:
            e = dict(env, extra=x)
            if r.marker is None or r.marker.evaluate(e):
                hit = True
        if not hit:
            continue
        if canonicalize_name(r.name) == name and r.url is None:
            more = sorted(canonicalize_name(x) for x in r.extras)
            new = [m for m in more if m not in seen]
            if new:
                out |= pip_applies(name, reqs, env, new, tuple(seen) + tuple(extras) + tuple(new))
            continue
        out.add(key(r))
    return out


def main():
    data = json.load(sys.stdin)
    name = canonicalize_name(data["name"])
    pip_reqs = [Requirement(s) for s in data["requires_dist"]]
    diffs = []
    rp = data["requires_python"]
    if SpecifierSet(rp["pip"] or "") != SpecifierSet(rp["guard"] or ""):
        diffs.append(f"requires-python: pip {rp['pip']!r}, pip-guard {rp['guard']!r}")
    for extra, texts in data["guard"].items():
        guard_reqs = [Requirement(t) for t in texts]
        asked = [canonicalize_name(extra)] if extra else []
        for env in envs():
            p = pip_applies(name, pip_reqs, env, asked, tuple(asked))
            g = {key(r) for r in guard_reqs if r.marker is None or r.marker.evaluate(env)}
            if p != g:
                where = f"[{extra}] Python {env['python_full_version']} {env['sys_platform']} {env['implementation_name']} {env['platform_machine']}"
                for k in sorted(p - g, key=str):
                    diffs.append(f"{where}: only pip has {k}")
                for k in sorted(g - p, key=str):
                    diffs.append(f"{where}: only pip-guard has {k}")
    # One line per distinct difference (the grid repeats them).
    seen = set()
    for d in diffs:
        short = d.split(": ", 1)[-1] if d.startswith("[") else d
        if short not in seen:
            seen.add(short)
            print(d)


main()
