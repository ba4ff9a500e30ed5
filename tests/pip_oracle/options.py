"""pip's own option parsers as an oracle for pip-guard's tests.

Run with the pinned pip's interpreter (the test venv, pip==26.3):

    python options.py table            # install and main-parser option tables
    python options.py install  < argvs # pip's `install` parser on each argv
    python options.py toplevel < argvs # pip's parse_command on each argv
    python options.py values   < pairs # pip's value conversions

Input is one JSON list on stdin (argv lists, or [kind, value] pairs);
output is one JSON document on stdout. Nothing is installed, nothing is
fetched: only pip's parsers run, with pip's config files and PIP_*
variables switched off.
"""

import contextlib
import io
import json
import optparse
import os
import sys

# Isolate pip from the machine's configuration before importing it.
for _k in list(os.environ):
    if _k.startswith("PIP_"):
        del os.environ[_k]
os.environ["PIP_CONFIG_FILE"] = os.devnull
# parse_command would re-run pip under `--python X`: only report it.
os.environ["_PIP_RUNNING_IN_SUBPROCESS"] = "1"

from pip._internal.cli import cmdoptions  # noqa: E402
from pip._internal.cli.main_parser import create_main_parser, parse_command  # noqa: E402
from pip._internal.commands import create_command  # noqa: E402
from pip._internal.exceptions import CommandError  # noqa: E402
from pip._internal.utils.datetime import parse_iso_datetime  # noqa: E402

# Record every option optparse processes, in order, with its raw value.
EVENTS = []
_process = optparse.Option.process


def _recording_process(self, opt, value, values, parser):
    EVENTS.append([self.get_opt_string(), value])
    return _process(self, opt, value, values, parser)


optparse.Option.process = _recording_process


def describe(opts):
    return [
        {
            "short": [s[1:] for s in o._short_opts],
            "long": [s[2:] for s in o._long_opts],
            "takes_value": o.takes_value(),
            "dest": o.dest,
            "action": o.action,
            "type": o.type,
            "choices": list(o.choices) if o.choices else None,
        }
        for o in opts
    ]


def table():
    install = create_command("install").parser._get_all_options()
    main = create_main_parser()._get_all_options()
    return {"install": describe(install), "global": describe(main)}


def last_paragraph(text):
    """The error message after pip's usage text, unwrapped to one line."""
    chunks = [c for c in text.strip().split("\n\n") if c.strip()]
    return " ".join(chunks[-1].split()) if chunks else ""


def run_guarded(fn):
    """Run fn with captured output; return (kind, result, message)."""
    EVENTS.clear()
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result = fn()
        return "ok", result, ""
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if code == 0:
            return "exit0", None, out.getvalue()
        return "error", None, last_paragraph(err.getvalue())
    except CommandError as e:
        return "error", None, str(e)


def install(argvs):
    results = []
    for argv in argvs:
        cmd = create_command("install")  # fresh: optparse mutates list defaults
        kind, result, message = run_guarded(lambda: cmd.parse_args(list(argv)))
        r = {"events": list(EVENTS)}
        if kind == "ok":
            r.update(outcome="ok", args=result[1])
        elif kind == "exit0":
            r.update(outcome="help")
        else:
            r.update(outcome="error", message=message)
        results.append(r)
    return results


def toplevel(argvs):
    results = []
    for argv in argvs:
        kind, result, message = run_guarded(lambda: parse_command(list(argv)))
        r = {"events": list(EVENTS)}
        names = [e[0] for e in EVENTS]
        if kind == "ok":
            r.update(outcome="command", command=result[0], rest=result[1])
        elif kind == "exit0":
            if "--help" in names:
                r.update(outcome="help")
            elif "--version" in names:
                r.update(outcome="version")
            else:
                r.update(outcome="help")
        else:
            r.update(outcome="error", message=message)
        results.append(r)
    return results


def value_ok(kind, value):
    try:
        if kind == "int":
            optparse._parse_num(value, int)
        elif kind == "float":
            float(value)
        elif kind == "python_version":
            _, err = cmdoptions._convert_python_version(value)
            return err is None
        elif kind == "datetime":
            parse_iso_datetime(value)
        else:
            raise SystemExit(f"unknown kind {kind}")
        return True
    except ValueError:
        return False


def values(pairs):
    return [value_ok(k, v) for k, v in pairs]


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "table":
        out = table()
    elif mode in ("install", "toplevel", "values"):
        data = json.load(sys.stdin)
        out = {"install": install, "toplevel": toplevel, "values": values}[mode](data)
    else:
        sys.exit(__doc__)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
