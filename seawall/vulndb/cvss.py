"""CVSS vectors: parsing, and base scores computed from the specifications' formulas.

v3.0 and v3.1 base scores follow the CVSS v3.1 specification (section 7.1 and Appendix A's
``Roundup``); v2 follows the CVSS v2 guide (section 3.2.1). v4.0 vectors are validated and kept,
with a score only when the feed gives one (v4 scores come from a lookup table, not a formula).
"""

from __future__ import annotations

import math

from seawall.model import Severity


class CvssError(ValueError):
    """A vector that is not valid CVSS."""


_V3_BASE = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "PR": {"N": 0.85, "L": 0.62, "H": 0.27},
    "UI": {"N": 0.85, "R": 0.62},
    "S": {"U": 0.0, "C": 0.0},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_V3_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_V3_OTHER = {
    "E": "XUPFH",
    "RL": "XOTWU",
    "RC": "XURC",
    "CR": "XLMH",
    "IR": "XLMH",
    "AR": "XLMH",
    "MAV": "XNALP",
    "MAC": "XLH",
    "MPR": "XNLH",
    "MUI": "XNR",
    "MS": "XUC",
    "MC": "XNLH",
    "MI": "XNLH",
    "MA": "XNLH",
}

_V2_BASE = {
    "AV": {"L": 0.395, "A": 0.646, "N": 1.0},
    "AC": {"H": 0.35, "M": 0.61, "L": 0.71},
    "Au": {"M": 0.45, "S": 0.56, "N": 0.704},
    "C": {"N": 0.0, "P": 0.275, "C": 0.660},
    "I": {"N": 0.0, "P": 0.275, "C": 0.660},
    "A": {"N": 0.0, "P": 0.275, "C": 0.660},
}
_V2_OTHER = {
    "E": ("U", "POC", "F", "H", "ND"),
    "RL": ("OF", "TF", "W", "U", "ND"),
    "RC": ("UC", "UR", "C", "ND"),
    "CDP": ("N", "L", "LM", "MH", "H", "ND"),
    "TD": ("N", "L", "M", "H", "ND"),
    "CR": ("L", "M", "H", "ND"),
    "IR": ("L", "M", "H", "ND"),
    "AR": ("L", "M", "H", "ND"),
}

_V4_BASE = {
    "AV": ("N", "A", "L", "P"),
    "AC": ("L", "H"),
    "AT": ("N", "P"),
    "PR": ("N", "L", "H"),
    "UI": ("N", "P", "A"),
    "VC": ("H", "L", "N"),
    "VI": ("H", "L", "N"),
    "VA": ("H", "L", "N"),
    "SC": ("H", "L", "N"),
    "SI": ("H", "L", "N"),
    "SA": ("H", "L", "N"),
}
_V4_OTHER = {  # threat, environmental and supplemental metrics (CVSS v4.0 specification, section 7)
    "E": ("X", "A", "P", "U"),
    "CR": ("X", "H", "M", "L"),
    "IR": ("X", "H", "M", "L"),
    "AR": ("X", "H", "M", "L"),
    "MAV": ("X", "N", "A", "L", "P"),
    "MAC": ("X", "L", "H"),
    "MAT": ("X", "N", "P"),
    "MPR": ("X", "N", "L", "H"),
    "MUI": ("X", "N", "P", "A"),
    "MVC": ("X", "H", "L", "N"),
    "MVI": ("X", "H", "L", "N"),
    "MVA": ("X", "H", "L", "N"),
    "MSC": ("X", "H", "L", "N"),
    "MSI": ("X", "S", "H", "L", "N"),
    "MSA": ("X", "S", "H", "L", "N"),
    "S": ("X", "N", "P"),
    "AU": ("X", "N", "Y"),
    "R": ("X", "A", "U", "I"),
    "V": ("X", "D", "C"),
    "RE": ("X", "L", "M", "H"),
    "U": ("X", "Clear", "Green", "Amber", "Red"),
}


def _pairs(text: str, what: str) -> dict[str, str]:
    metrics: dict[str, str] = {}
    for part in text.split("/"):
        key, sep, value = part.partition(":")
        if not sep or not key or not value:
            raise CvssError(f"malformed {what} metric {part!r}")
        if key in metrics:
            raise CvssError(f"{what} metric {key} given twice")
        metrics[key] = value
    return metrics


def roundup(value: float) -> float:
    """CVSS v3.1 Appendix A: the smallest number, to one decimal, that is >= ``value``."""
    integer = round(value * 100000)
    if integer % 10000 == 0:
        return integer / 100000.0
    return (math.floor(integer / 10000) + 1) / 10.0


def v3_base_score(vector: str) -> float:
    """The base score of a ``CVSS:3.0/...`` or ``CVSS:3.1/...`` vector."""
    prefix, _, body = vector.strip().partition("/")
    if prefix not in ("CVSS:3.0", "CVSS:3.1"):
        raise CvssError(f"not a CVSS v3 vector: {vector[:60]!r}")
    metrics = _pairs(body, "CVSS v3")
    for key, value in metrics.items():
        allowed = _V3_BASE.get(key) or _V3_OTHER.get(key)
        if allowed is None or value not in allowed:
            raise CvssError(f"invalid CVSS v3 metric {key}:{value}")
    missing = [k for k in _V3_BASE if k not in metrics]
    if missing:
        raise CvssError(f"CVSS v3 vector lacks {', '.join(missing)}")
    changed = metrics["S"] == "C"
    pr = (_V3_PR_CHANGED if changed else _V3_BASE["PR"])[metrics["PR"]]
    c, i, a = (_V3_BASE[k][metrics[k]] for k in ("C", "I", "A"))
    iss = 1 - (1 - c) * (1 - i) * (1 - a)
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    exploitability = 8.22 * _V3_BASE["AV"][metrics["AV"]] * _V3_BASE["AC"][metrics["AC"]] * pr
    exploitability *= _V3_BASE["UI"][metrics["UI"]]
    if impact <= 0:
        return 0.0
    if changed:
        return roundup(min(1.08 * (impact + exploitability), 10))
    return roundup(min(impact + exploitability, 10))


def v2_base_score(vector: str) -> float:
    """The base score of a CVSS v2 vector (``AV:N/AC:L/Au:N/C:P/I:P/A:P``, optionally in parentheses)."""
    body = vector.strip().removeprefix("(").removesuffix(")").removeprefix("CVSS:2.0/")
    metrics = _pairs(body, "CVSS v2")
    for key, value in metrics.items():
        if key in _V2_BASE:
            if value not in _V2_BASE[key]:
                raise CvssError(f"invalid CVSS v2 metric {key}:{value}")
        elif key not in _V2_OTHER or value not in _V2_OTHER[key]:
            raise CvssError(f"invalid CVSS v2 metric {key}:{value}")
    missing = [k for k in _V2_BASE if k not in metrics]
    if missing:
        raise CvssError(f"CVSS v2 vector lacks {', '.join(missing)}")
    c, i, a = (_V2_BASE[k][metrics[k]] for k in ("C", "I", "A"))
    impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a))
    exploitability = 20 * _V2_BASE["AV"][metrics["AV"]] * _V2_BASE["AC"][metrics["AC"]]
    exploitability *= _V2_BASE["Au"][metrics["Au"]]
    f_impact = 0.0 if impact == 0 else 1.176
    score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact
    return math.floor(score * 10 + 0.5 + 1e-9) / 10.0


def v4_validate(vector: str) -> str:
    """A valid ``CVSS:4.0/...`` vector, stripped; CvssError otherwise."""
    vector = vector.strip()
    prefix, _, body = vector.partition("/")
    if prefix != "CVSS:4.0":
        raise CvssError(f"not a CVSS v4 vector: {vector[:60]!r}")
    metrics = _pairs(body, "CVSS v4")
    for key, value in metrics.items():
        allowed = _V4_BASE.get(key) or _V4_OTHER.get(key)
        if allowed is None or value not in allowed:
            raise CvssError(f"invalid CVSS v4 metric {key}:{value}")
    missing = [k for k in _V4_BASE if k not in metrics]
    if missing:
        raise CvssError(f"CVSS v4 vector lacks {', '.join(missing)}")
    return vector


def severity_of(score: float | None, version: int = 3) -> Severity:
    """The qualitative rating of a score: v3/v4 (None 0, Low, Medium, High, Critical) or v2 (no Critical)."""
    if score is None or score <= 0:
        return Severity.UNKNOWN
    if score < 4.0:
        return Severity.LOW
    if score < 7.0:
        return Severity.MEDIUM
    if version == 2 or score < 9.0:
        return Severity.HIGH
    return Severity.CRITICAL


def version_of(vector: str) -> int:
    """3 for ``CVSS:3.x/``, 4 for ``CVSS:4.0/``, 2 for a bare v2 vector; CvssError otherwise."""
    text = vector.strip()
    if text.startswith(("CVSS:3.0/", "CVSS:3.1/")):
        return 3
    if text.startswith("CVSS:4.0/"):
        return 4
    if text.startswith(("AV:", "(AV:", "CVSS:2.0/")):
        return 2
    raise CvssError(f"unknown CVSS vector {text[:60]!r}")
