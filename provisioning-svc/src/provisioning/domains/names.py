"""Domain names as clients type them: lower case, IDNA (punycode) for accented names, checked label by label."""

import re

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize(name: str) -> str:
    """`Mi-Sitio.com.ar.` -> `mi-sitio.com.ar`; ValueError if it is no valid domain name."""
    name = name.strip().lower().rstrip(".")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{name!r} is not a valid domain name") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(LABEL.match(label) for label in labels):
        raise ValueError(f"{name!r} is not a valid domain name")
    return ascii_name


def label_of(text: str) -> str:
    """What a client searches (`mi sitio`, `misitio.com`) reduced to one label: `misitio`."""
    first = text.strip().lower().split(".")[0]
    label = re.sub(r"[^a-z0-9\u00c0-\u024f-]", "", first).strip("-")
    try:
        label = label.encode("idna").decode("ascii") if label else ""
    except UnicodeError:
        return ""
    return label if LABEL.match(label or "-") else ""
