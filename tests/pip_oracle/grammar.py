"""The packaging side of the grammar differential in tests/pip_differential.rs.

Reads a JSON list of strings on stdin; for each, prints what pip's vendored
packaging makes of it: the length of the specifier token at its start, the
requirement's parts (or that it is invalid), and whether it is a valid
marker.
"""

import json
import sys

from pip._vendor.packaging._tokenizer import DEFAULT_RULES
from pip._vendor.packaging.markers import InvalidMarker, Marker, default_environment
from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
from pip._vendor.packaging.utils import canonicalize_name


def one(s: str) -> dict:
    m = DEFAULT_RULES["SPECIFIER"].match(s)
    out = {"spec_len": len(m.group(0)) if m else None}
    try:
        r = Requirement(s)
        out["req"] = {
            "name": canonicalize_name(r.name),
            "extras": sorted(canonicalize_name(e) for e in r.extras),
            "specifier": sorted(str(x).replace(" ", "") for x in r.specifier),
            "url": r.url,
            "marker": r.marker is not None,
        }
    except InvalidRequirement:
        out["req"] = None
    try:
        m = Marker(s)
        out["marker"] = True
        try:
            out["marker_eval"] = m.evaluate({"extra": ""})
        except Exception as e:  # noqa: BLE001
            out["marker_eval"] = f"error: {type(e).__name__}"
    except InvalidMarker:
        out["marker"] = False
    return out


print(
    json.dumps(
        {
            "environment": default_environment(),
            "results": [one(s) for s in json.load(sys.stdin)],
        }
    )
)
