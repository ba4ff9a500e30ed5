"""The pip side of tests/pip_differential.rs.

Runs the pinned pip's own requirement intake -- `InstallCommand.parse_args`
and `RequirementCommand.get_requirements` (which calls
`req_file.parse_requirements`, `install_req_from_line`,
`install_req_from_editable`, the dependency-group and PEP 723 readers and
the pylock reader) -- for each case, without resolving or installing
anything, and prints what pip understood as JSON.

Input (stdin): {"cases": [{"id": str, "cwd": str, "args": [str], "env": {str: str}}]}
Output (stdout): {"environment": {marker env}, "results": {id: result}}
where result is {"requirements": [...]} or {"error": {"message", "type", "where"}}.
`where` is [absolute file, line] when the error happened while pip was on
a requirements-file line, else null.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback

from pip._internal.cli import req_command
from pip._internal.cli.cmdoptions import make_target_python
from pip._internal.commands import create_command
from pip._internal.req import req_file
from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.utils import canonicalize_name
from pip._vendor.packaging.version import Version

logging.disable(logging.CRITICAL)

LAST_POS: tuple[str, int] | None = None
PENDING_FILE: str | None = None

_orig_parse_file = req_file.RequirementsFileParser._parse_file
_orig_preprocess = req_file.preprocess
_orig_parse_requirements = req_command.parse_requirements


def _parse_file(self, filename, constraint):
    global PENDING_FILE
    PENDING_FILE = filename
    yield from _orig_parse_file(self, filename, constraint)


def _preprocess(content):
    global LAST_POS
    fname = PENDING_FILE
    for ln, line in _orig_preprocess(content):
        LAST_POS = (os.path.abspath(fname), ln)
        yield ln, line


def _parse_requirements(*a, **k):
    global LAST_POS
    yield from _orig_parse_requirements(*a, **k)
    LAST_POS = None


req_file.RequirementsFileParser._parse_file = _parse_file
req_file.preprocess = _preprocess
req_command.parse_requirements = _parse_requirements

COMES_FROM = re.compile(r"^-[rc] (.*) \(line (\d+)\)$", re.S)


def norm_spec(s) -> str:
    op, v = s.operator, s.version
    if op == "===":
        return f"==={v}"
    if v.endswith(".*"):
        return f"{op}{Version(v[:-2])}.*"
    return f"{op}{Version(v)}"


def kind(ireq) -> str:
    if ireq.editable:
        return "editable"
    if ireq.link is None:
        return "named"
    return "path" if ireq.link.scheme in ("file", "") else "url"


def describe(ireq) -> dict:
    origin = None
    source = None
    cf = ireq.comes_from
    if isinstance(cf, str):
        m = COMES_FROM.match(cf)
        if m:
            origin = [os.path.abspath(m.group(1)), int(m.group(2))]
        else:
            source = os.path.abspath(cf)
    try:
        applies = ireq.markers.evaluate({"extra": ""}) if ireq.markers else None
    except Exception as e:  # noqa: BLE001 - report, compare
        applies = f"error: {type(e).__name__}"
    return {
        "origin": origin,
        "source": source,
        "name": canonicalize_name(ireq.name) if ireq.name else None,
        "extras": sorted({canonicalize_name(e) for e in ireq.extras}),
        "specifier": sorted(norm_spec(s) for s in ireq.req.specifier) if ireq.req else [],
        "applies": applies,
        "editable": bool(ireq.editable),
        "constraint": bool(ireq.constraint),
        "kind": kind(ireq),
    }


def run_case(case: dict, base_env: dict) -> dict:
    global LAST_POS, PENDING_FILE
    LAST_POS = None
    PENDING_FILE = None
    os.environ.clear()
    os.environ.update(base_env)
    os.environ.update(case.get("env", {}))
    os.chdir(case["cwd"])
    try:
        cmd = create_command("install", isolated=True)
        # pip's option factories share their mutable defaults (`default=[]`)
        # between parser instances, and its callbacks append to them: give
        # each case fresh, empty ones (they are all empty in pip).
        for key, value in list(cmd.parser.defaults.items()):
            if isinstance(value, (list, set, dict)):
                cmd.parser.defaults[key] = type(value)()
        try:
            options, args = cmd.parse_args(list(case["args"]))
        except SystemExit as e:
            return {"error": {"message": f"usage error ({e.code})", "type": "SystemExit", "where": "argv"}}
        with cmd.main_context():
            session = cmd.get_default_session(options)
            finder = cmd._build_package_finder(
                options=options,
                session=session,
                target_python=make_target_python(options),
                ignore_requires_python=options.ignore_requires_python,
            )
            reqs = cmd.get_requirements(args, options, finder, session)
            return {"requirements": [describe(r) for r in reqs]}
    except BaseException as e:  # noqa: BLE001 - pip's own errors are the point
        if isinstance(e, KeyboardInterrupt):
            raise
        return {
            "error": {
                "message": str(e)[:2000],
                "type": type(e).__name__,
                "where": list(LAST_POS) if LAST_POS else None,
                # A crash inside pip (not one of its own errors) keeps its traceback.
                "trace": None
                if type(e).__module__.startswith("pip._internal")
                else traceback.format_exc()[-1500:],
            }
        }


def main() -> None:
    job = json.load(sys.stdin)
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    results = {c["id"]: run_case(c, base_env) for c in job["cases"]}
    sys.stdout.write(json.dumps({"environment": default_environment(), "results": results}))


if __name__ == "__main__":
    main()
