"""What each calwebb pipeline (jwst 3.0.0) does with an association: the facts checks rely on.

One :class:`Pipeline` per association type: the pipeline that runs it, which
member roles it reads, which products it processes and what exposures it is
made for. :func:`asnkit.check` compares associations with this table.

Sources (jwst 3.0.0):

- ``pipeline/calwebb_image3.py``: ``ModelLibrary(..., asn_exptypes=["science"])``,
  products[0] only;
- ``pipeline/calwebb_spec3.py``: ``asn_exptypes = ["science", "background"]``, products[0];
- ``pipeline/calwebb_coron3.py``: ``asn_exptypes = ["science", "psf"]``, aborts without psf;
- ``pipeline/calwebb_ami3.py``: science and psf members of products[0]; without psf
  ``ami_normalize`` is skipped;
- ``pipeline/calwebb_tso3.py``: ``asn_exptypes = ["science"]``, aborts unless the data
  are time series (``is_tso``);
- ``pipeline/calwebb_image2.py``: every product; science (first one only) and background;
- ``pipeline/calwebb_spec2.py``: every product; science, background (not for
  ``EXP_TYPES_USING_REFBKGDS``), imprint (NIRSpec MOS/IFU only), selfcal, the WFSS
  catalogue members and the MIRI LRS target acquisition;
- ``calwebb_wfs-image3.cfg``: ``WfsCombineStep``, every product, its first two science members;
- ``calwebb_tso-image2.cfg`` / ``calwebb_tso-spec2.cfg``: Image2Pipeline / Spec2Pipeline.

Examples
--------
>>> PIPELINES["image3"].name, sorted(PIPELINES["image3"].reads)
('calwebb_image3', ['science'])
>>> pipeline_for("SPEC2").reads_role("imprint", "nrs_ifu"), PIPELINES["spec2"].reads_role(
...     "imprint", "mir_mrs")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATALOG_ROLES",
    "PIPELINES",
    "REFERENCE_BACKGROUND_EXP_TYPES",
    "WFSS_EXP_TYPES",
    "Pipeline",
    "pipeline_for",
]

#: Exposure types whose backgrounds calwebb_spec2 takes from reference files, ignoring
#: background members (``EXP_TYPES_USING_REFBKGDS`` of calwebb_spec2.py).
REFERENCE_BACKGROUND_EXP_TYPES = frozenset(
    {"nis_wfss", "nrc_grism", "nrc_wfss", "nis_soss", "mir_wfss"}
)
#: Wide-field slitless exposure types (``WFSS_TYPES`` of calwebb_spec2.py): they need the
#: source catalogue, segmentation map and direct image of a Level 3 image product.
WFSS_EXP_TYPES = frozenset({"nis_wfss", "nrc_grism", "nrc_wfss", "mir_wfss"})
#: Science exposure types whose imprint members calwebb_spec2 subtracts.
_IMPRINT_EXP_TYPES = frozenset({"nrs_msaspec", "nrs_ifu"})
#: Science exposure types for which calwebb_spec2 reads a target acquisition (``TA_TYPES``).
_TA_EXP_TYPES = frozenset({"mir_lrs-fixedslit", "mir_lrs-slitless"})
#: The roles of a WFSS product's catalogue members (read by calwebb_spec2 for WFSS only).
CATALOG_ROLES = ("sourcecat", "segmap", "direct_image")
_WFSS_ROLES = frozenset(CATALOG_ROLES)


@dataclass(frozen=True)
class Pipeline:
    """What one calwebb pipeline does with an association type.

    Parameters
    ----------
    asn_type : str
        The association type.
    name : str
        The pipeline (``calwebb_image3``).
    level : int
        2 or 3.
    reads : frozenset of str
        Member roles it reads (for some exposure types only, see :meth:`reads_role`).
    family : str
        The exposures it is made for: ``image``, ``spectrum``, ``coron``, ``ami`` or
        ``tso`` (imaging or spectra, as time series).
    time_series : bool
        Made for time-series exposures (``tso3``, ``tso-image2``, ``tso-spec2``).
    all_products : bool
        Processes every product (Level 2 and wfs-image3); else only ``products[0]``.
    """

    asn_type: str
    name: str
    level: int
    reads: frozenset[str]
    family: str
    time_series: bool = False
    all_products: bool = False

    def reads_role(self, role: str, exp_type: str | None = None) -> bool:
        """Whether the pipeline reads members of ``role`` for science of ``exp_type``.

        With ``exp_type`` None (unknown), a role read for some exposure types counts as read.
        """
        role = role.lower()
        if role not in self.reads:
            return False
        if self.reads is not _SPEC2_ROLES or exp_type is None:
            return True
        exp_type = exp_type.lower()
        if role == "background":
            return exp_type not in REFERENCE_BACKGROUND_EXP_TYPES
        if role == "imprint":
            return exp_type in _IMPRINT_EXP_TYPES
        if role in _WFSS_ROLES:
            return exp_type in WFSS_EXP_TYPES
        if role == "target_acquisition":
            return exp_type in _TA_EXP_TYPES
        return True


_SPEC2_ROLES = frozenset(
    {"science", "background", "imprint", "selfcal", "target_acquisition", *_WFSS_ROLES}
)


def _table(*pipelines: Pipeline) -> dict[str, Pipeline]:
    return {p.asn_type: p for p in pipelines}


#: The pipeline of each association type jwst 3.0.0 makes.
PIPELINES: dict[str, Pipeline] = _table(
    Pipeline("image3", "calwebb_image3", 3, frozenset({"science"}), "image"),
    Pipeline("wfs-image3", "calwebb_wfs-image3", 3, frozenset({"science"}), "image",
             all_products=True),
    Pipeline("spec3", "calwebb_spec3", 3, frozenset({"science", "background"}), "spectrum"),
    Pipeline("coron3", "calwebb_coron3", 3, frozenset({"science", "psf"}), "coron"),
    Pipeline("ami3", "calwebb_ami3", 3, frozenset({"science", "psf"}), "ami"),
    Pipeline("tso3", "calwebb_tso3", 3, frozenset({"science"}), "tso", time_series=True),
    Pipeline("image2", "calwebb_image2", 2, frozenset({"science", "background"}), "image",
             all_products=True),
    Pipeline("tso-image2", "calwebb_tso-image2", 2, frozenset({"science", "background"}),
             "image", time_series=True, all_products=True),
    Pipeline("spec2", "calwebb_spec2", 2, _SPEC2_ROLES, "spectrum", all_products=True),
    Pipeline("tso-spec2", "calwebb_tso-spec2", 2, _SPEC2_ROLES, "spectrum", time_series=True,
             all_products=True),
)  # fmt: skip


def pipeline_for(asn_type: object) -> Pipeline | None:
    """The pipeline of an association type (case-insensitive), or None for other types."""
    return PIPELINES.get(str(asn_type or "").strip().lower())
