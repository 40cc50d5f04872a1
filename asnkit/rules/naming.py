"""Product names of the DMS rules, built from the values an association found.

Each function takes the engine's association state (``asn``: ``acid``,
``data``, ``found(name)``...) and returns the product name, lower case, as the
reference generator writes it. Placeholders the DMS leaves for later steps
(``{source_id}``, ``{slit_name}``, ``{suffix}``) stay literal.
"""

from __future__ import annotations

from typing import Any

from asnkit.dms.names import format_template, remove_suffix, without_extension
from asnkit.dms.values import EMPTY, first_value

__all__ = [
    "get_instrument",
    "get_opt_element",
    "get_slit_name",
    "get_subarray",
    "get_target",
    "level2_product_name",
    "product_name_coronimage",
    "product_name_default",
    "product_name_noopt",
    "product_name_nrsfs_sources",
    "product_name_sources",
    "product_name_wfscmb",
    "product_name_wfss",
    "wfss_direct_opt_element",
]


def _join(values: Any) -> str:
    if type(values) in (tuple, list):
        try:
            return "-".join(values)  # texts (the values found in a pool): as they are
        except TypeError:
            pass
    return "-".join(str(v) for v in values)


def _found(asn: Any, name: str) -> tuple | None:
    try:
        return asn.found(name)
    except KeyError:
        return None


def get_target(asn: Any) -> str:
    """``t`` + the target id found, zero-padded to 3 (``t000`` if none)."""
    return "t" + _join(asn.first_found("target")).rjust(3, "0")


def get_instrument(asn: Any) -> str:
    values = _found(asn, "instrument")
    return _join(values or ())


def get_opt_element(asn: Any) -> str:
    """Filter/pupil/grating values found, sorted case-insensitively, joined by ``-``."""
    parts = []
    for name in ("opt_elem", "opt_elem2"):
        values = _found(asn, name)
        if values is None:
            continue
        value = _join(sorted(values, key=str.lower))
        if value not in EMPTY:
            parts.append(value)
    parts.sort(key=str.lower)
    return "-".join(parts) or "clear"


def wfss_direct_opt_element(asn: Any) -> str:
    """Optical element of a WFSS association's chosen direct image."""
    item = asn.direct_image["item"]
    parts = []
    instrument = str(item.get("instrume", "UNKNOWN")).lower()
    if instrument == "miri":
        value = item.get("filter")
        if value is not None:
            parts.append(str(value))
    else:
        for columns in (("filter", "band"), ("pupil", "grating")):
            try:
                parts.append(first_value(item, columns)[1])
            except KeyError:
                continue
    parts.sort(key=str.lower)
    return "-".join(parts) or "clear"


def get_slit_name(asn: Any) -> str:
    names: list[str] = []
    for name in ("fxd_slit", "fxd_slit2"):
        values = _found(asn, name)
        if values is None:
            continue
        value = _join(sorted(values, key=str.lower))
        if value not in EMPTY and value not in names:
            names.append(value)
    names.sort(key=str.lower)
    return "-".join(names)


def get_subarray(asn: Any) -> str:
    values = _found(asn, "subarray")
    if values is None:
        return ""
    value = _join(values)
    return "" if value == "full" else value


def _dash(text: str) -> str:
    return "-" + text if text else ""


def product_name_default(asn: Any, opt_element: Any = get_opt_element) -> str:
    """``jw{program}-{acid}_{target}_{instrument}_{opt_elem}{-slit}{-subarray}``."""
    name = (
        f"jw{asn.data['program']}-{asn.acid[0]}_{get_target(asn)}_{get_instrument(asn)}_"
        f"{opt_element(asn)}{_dash(get_slit_name(asn))}{_dash(get_subarray(asn))}"
    )
    return name.lower()


def product_name_noopt(asn: Any) -> str:
    """``jw{program}-{acid}_{target}_{instrument}`` (MIRI MRS)."""
    return f"jw{asn.data['program']}-{asn.acid[0]}_{get_target(asn)}_{get_instrument(asn)}".lower()


def product_name_sources(asn: Any) -> str:
    """Multi-object spectroscopy: ``{source_id}`` stays for the pipeline to fill."""
    return format_template(
        "jw{program}-{acid}_{source_id}_{instrument}_{opt_elem}{slit_name}{subarray}",
        program=asn.data["program"],
        acid=asn.acid[0],
        instrument=get_instrument(asn),
        opt_elem=get_opt_element(asn),
        slit_name=_dash(get_slit_name(asn)),
        subarray=_dash(get_subarray(asn)),
    ).lower()


def product_name_wfss(asn: Any) -> str:
    return product_name_default(asn)


def product_name_nrsfs_sources(asn: Any) -> str:
    """NIRSpec fixed slit: ``{source_id}`` and ``{slit_name}`` stay literal."""
    return format_template(
        "jw{program}-{acid}_{target}-{source_id}_{instrument}_{opt_elem}-{slit_name}{subarray}",
        program=asn.data["program"],
        acid=asn.acid[0],
        target=get_target(asn),
        instrument=get_instrument(asn),
        opt_elem=get_opt_element(asn),
        subarray=_dash(get_subarray(asn)),
    ).lower()


def product_name_coronimage(asn: Any) -> str:
    """NIRCam coronagraphic images of the short channel: ``...-image3``."""
    return (
        f"jw{asn.data['program']}-{asn.acid[0]}_{get_target(asn)}_{get_instrument(asn)}_"
        f"{get_opt_element(asn)}{_dash(get_subarray(asn))}-image3"
    ).lower()


def product_name_wfscmb(asn: Any) -> str:
    """Wavefront sensing: ``{default}-{detector}_{suffix}-{act_id}``."""
    return format_template(
        "{existing}-{detector}_{suffix}-{expspcin}",
        existing=product_name_default(asn),
        detector=asn.value("detector"),
        expspcin=asn.value("act_id"),
    ).lower()


def level2_product_name(asn: Any) -> str:
    """Level 2b: the first science member's file stem without its suffix."""
    for member in asn.members:
        if member["exptype"].lower() == "science":
            stem = without_extension(member["expname"])
            return remove_suffix(stem)
    return "undefined"
