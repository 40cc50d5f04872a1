"""The DMS Level 3 rule set (jwst 3.0.0 ``rules_level3``), as data.

Every science rule is wrapped the same way (:func:`science_rule`): the program
and instrument must agree, imprints are excluded, and an exposure joins either
through the rule's own constraints (its ``obs_num`` is collected) or as a
target acquisition of one of those observations.

Examples
--------
>>> rules = dms_level3()
>>> len(rules), rules[0].name
(22, 'Asn_Lv3ACQ_Reprocess')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from asnkit.dms import exposures
from asnkit.dms.candidates import DIRECT_IMAGE_CANDIDATE
from asnkit.rules import naming
from asnkit.rules import predicates as p
from asnkit.rules.model import (
    Finalize,
    Group,
    Rule,
    WorkOver,
    all_of,
    any_of,
    attr,
    none_of,
    test,
)

__all__ = [
    "base_tso",
    "dms_level3",
    "not_tso",
    "optical_path",
    "science_rule",
    "target_constraint",
]


def base_tso() -> Group:
    """The exposure is a time series (science pointing, TSO visit or TSO EXP_TYPE)."""
    return all_of(
        attr("pntgtype", value="science"),
        any_of(
            attr("tsovisit", value="t"),
            attr("exp_type", value="|".join(exposures.TSO_EXP_TYPES)),
        ),
        name="is_tso",
    )


def not_tso() -> Group:
    """The exposure is not a time series (see :func:`base_tso`)."""
    return none_of(base_tso())


def optical_path() -> Group:
    """Filter, pupil/grating, fixed slit (optional) and subarray must agree."""
    return all_of(
        attr("filter", name="opt_elem", required=False),
        attr("pupil", "grating", name="opt_elem2", required=False),
        any_of(
            attr(
                "fxd_slit",
                name="fxd_slit2",
                value=("s200a1|s200a2",),
                force_unique=False,
                required=False,
            ),
            attr("fxd_slit", name="fxd_slit", required=False),
        ),
        attr("subarray", name="subarray"),
    )


def target_constraint(follow_science: bool = True) -> Group:
    """Target must agree; backgrounds of another target join existing associations."""
    target = (
        attr(
            "targetid",
            name="target",
            onlyif=p.is_not_background,
            force_reprocess=WorkOver.EXISTING,
            only_on_match=True,
        )
        if follow_science
        else attr("targetid", name="target")
    )
    return any_of(
        all_of(
            attr("asn_candidate", name="acdirect", value=DIRECT_IMAGE_CANDIDATE),
            test(name="target", source=p.target_000),
        ),
        target,
    )


def _science_target() -> Any:
    return attr(
        "targetid",
        name="target",
        onlyif=p.is_science_exposure,
        force_reprocess=WorkOver.EXISTING,
        only_on_match=True,
    )


def _image() -> Any:
    return attr(
        "exp_type", name="exp_type", value="nrc_image|mir_image|nis_image|fgs_image|nrs_mimf"
    )


def _not_wfs_visit() -> Any:
    return attr("visitype", name="wfsvisit", value="((?!wfsc).)*", required=False)


def science_rule(
    name: str,
    asn_type: str,
    constraints: Group,
    *,
    exposure_type: Any = p.exposure_type_level3,
    product_name: Any = naming.product_name_default,
    finalize: Finalize = Finalize.MULTI_OBS,
    validity: tuple = (),
    integrations: Any = None,
    description: str = "",
) -> Rule:
    """A Level 3 science rule: the DMS wrapper around the rule's own constraints."""
    acquisitions = all_of(
        test("target_acquisition", name="target_acq", source=p.exposure_type_of_item),
        attr(
            "obs_num",
            name="acq_obsnum",
            value=p.acq_obsnum_pattern,
            force_unique=False,
        ),
        name="acq_constraint",
        work_over=WorkOver.EXISTING,
    )
    top = all_of(
        all_of(attr("program", name="program"), attr("instrume", name="instrument"), name="base"),
        attr("is_imprt", force_undefined=True),
        any_of(
            all_of(
                constraints,
                attr("obs_num", name="obs_num", force_unique=False, required=False),
                name="rule",
            ),
            acquisitions,
            name="acq_check",
        ),
        name="dmsbase_top",
    )
    return Rule(
        name=name,
        level=3,
        asn_type=asn_type,
        constraints=top,
        exposure_type=exposure_type,
        product_name=product_name,
        finalize=finalize,
        validity=(p.has_science, *validity),
        integrations=integrations,
        description=description,
    )


def _acq_reprocess() -> Rule:
    return Rule(
        name="Asn_Lv3ACQ_Reprocess",
        level=3,
        asn_type="None",
        constraints=all_of(
            test("target_acquisition", name="target_acq", source=p.exposure_type_of_item),
            test(
                "anything but None",
                name="force_fail",
                test=p.always_false,
                reprocess_on_fail=True,
                work_over=WorkOver.NONSCIENCE,
                reprocess_rules=(),
            ),
        ),
        exposure_type=p.exposure_type_level3,
        product_name=naming.product_name_default,
        validity=(p.has_science,),
        description="Sends target acquisitions to every existing association; makes none.",
    )


@lru_cache(maxsize=1)
def dms_level3() -> tuple[Rule, ...]:
    """The 22 DMS Level 3 rules, in the reference registry's order (alphabetical)."""
    not_bkgd = none_of(attr("bkgdtarg", name="bkgdtarg", force_unique=False))
    rules = [
        _acq_reprocess(),
        science_rule(
            "Asn_Lv3AMI",
            "ami3",
            all_of(
                optical_path(),
                attr("exp_type", name="exp_type", value="nis_ami"),
                _science_target(),
            ),
            validity=(p.has_psf,),
            description="NIRISS aperture masking interferometry, with its PSF references.",
        ),
        science_rule(
            "Asn_Lv3Image",
            "image3",
            all_of(
                optical_path(),
                target_constraint(),
                _image(),
                _not_wfs_visit(),
                none_of(attr("bkgdtarg", name="bkgdtarg"), base_tso()),
            ),
            description="Imaging of one target with one optical path.",
        ),
        science_rule(
            "Asn_Lv3ImageBackground",
            "image3",
            all_of(
                optical_path(),
                target_constraint(),
                _image(),
                _not_wfs_visit(),
                attr("bkgdtarg", name="bkgdtarg"),
                not_tso(),
            ),
            exposure_type=p.exposure_type_aux,
            description="Imaging of background targets.",
        ),
        science_rule(
            "Asn_Lv3MIRCoron",
            "coron3",
            all_of(
                optical_path(),
                attr("exp_type", name="exp_type", value="mir_lyot|mir_4qpm"),
                _science_target(),
                not_bkgd,
                name="asn_coron",
            ),
            validity=(p.has_psf,),
            description="MIRI coronagraphy with PSF references.",
        ),
        science_rule(
            "Asn_Lv3MIRMRS",
            "spec3",
            all_of(
                target_constraint(), attr("exp_type", name="exp_type", value="mir_mrs"), not_tso()
            ),
            product_name=naming.product_name_noopt,
            description="MIRI MRS of one target (all bands in one product).",
        ),
        science_rule(
            "Asn_Lv3MIRMRSBackground",
            "spec3",
            all_of(
                target_constraint(follow_science=False),
                attr("exp_type", name="exp_type", value="mir_mrs"),
                not_tso(),
                attr("bkgdtarg", name="bkgdtarg", value="T"),
            ),
            exposure_type=p.exposure_type_aux,
            product_name=naming.product_name_noopt,
            description="MIRI MRS background targets.",
        ),
        science_rule(
            "Asn_Lv3NRCCoron",
            "coron3",
            all_of(
                optical_path(),
                attr("exp_type", name="exp_type", value="nrc_coron"),
                _science_target(),
                not_bkgd,
                test(True, test=p.valid_nrccoron, force_unique=False),
                name="asn_coron",
            ),
            validity=(p.has_psf,),
            description="NIRCam coronagraphy with PSF references.",
        ),
        science_rule(
            "Asn_Lv3NRCCoronImage",
            "image3",
            all_of(
                optical_path(),
                attr("exp_type", name="exp_type", value="nrc_coron"),
                _science_target(),
                none_of(
                    attr("bkgdtarg", name="bkgdtarg", force_unique=False),
                    attr("is_psf", name="is_psf", value="T"),
                ),
                attr("channel", name="channel", value="short"),
                attr("subarray", name="subarray", value="full"),
            ),
            product_name=naming.product_name_coronimage,
            integrations=p.no_coron_integrations,
            description="NIRCam coronagraphic exposures imaged as plain images (short channel).",
        ),
        science_rule(
            "Asn_Lv3NRSFSS",
            "spec3",
            all_of(
                not_tso(),
                attr(
                    "exp_type",
                    name="exp_type",
                    value="nrs_autoflat|nrs_autowave|nrs_fixedslit",
                    force_unique=False,
                ),
                test(True, test=p.valid_nrsfss, force_unique=False),
                optical_path(),
                target_constraint(),
            ),
            product_name=naming.product_name_nrsfs_sources,
            description="NIRSpec fixed-slit spectroscopy.",
        ),
        science_rule(
            "Asn_Lv3NRSIFU",
            "spec3",
            all_of(
                target_constraint(),
                attr("exp_type", name="exp_type", value="nrs_autowave|nrs_ifu", force_unique=False),
                test(True, test=p.valid_nrsifu, force_unique=False),
                attr("patttype", name="patttype", required=True),
                not_tso(),
                attr("grating", name="opt_elem"),
            ),
            description="NIRSpec IFU spectroscopy.",
        ),
        science_rule(
            "Asn_Lv3NRSIFUBackground",
            "spec3",
            all_of(
                target_constraint(),
                not_tso(),
                attr("bkgdtarg", name="bkgdtarg", value="T"),
                attr("exp_type", name="allowed_bkgdtarg", value="nrs_ifu"),
                test(True, test=p.valid_nrsifu, force_unique=False),
                attr("grating", name="opt_elem", force_unique=True),
            ),
            exposure_type=p.exposure_type_aux,
            description="NIRSpec IFU background targets.",
        ),
        science_rule(
            "Asn_Lv3SlitlessSpectral",
            "spec3",
            all_of(
                not_tso(),
                optical_path(),
                target_constraint(),
                attr("exp_type", name="exp_type", value="nis_soss", force_unique=False),
                none_of(attr("patttype", name="patttype_spectarg")),
                none_of(
                    attr("exp_type", name="restricted_slitless", value="mir_lrs-slitless"),
                    base_tso(),
                ),
            ),
            description="NIRISS SOSS without nods.",
        ),
        science_rule(
            "Asn_Lv3SpecAux",
            "spec3",
            all_of(
                target_constraint(),
                not_tso(),
                attr("bkgdtarg", name="bkgdtarg", value="T"),
                attr("exp_type", name="allowed_bkgdtarg", value="mir_lrs-fixedslit|nrs_fixedslit"),
                optical_path(),
            ),
            exposure_type=p.exposure_type_aux,
            description="Fixed-slit background targets.",
        ),
        science_rule(
            "Asn_Lv3SpectralSource",
            "spec3",
            all_of(
                not_tso(),
                optical_path(),
                target_constraint(),
                any_of(
                    attr(
                        "exp_type",
                        name="exp_type",
                        value="nrs_autoflat|nrs_autowave",
                        force_unique=False,
                    ),
                    all_of(
                        attr("exp_type", name="exp_type", value="nrs_msaspec", force_unique=False),
                        attr("msametfl", name="is_msa", force_unique=False),
                        name="msa_spectral",
                    ),
                ),
            ),
            product_name=naming.product_name_sources,
            description="NIRSpec multi-object spectroscopy (one product per source).",
        ),
        science_rule(
            "Asn_Lv3SpectralTarget",
            "spec3",
            all_of(
                not_tso(),
                optical_path(),
                target_constraint(),
                attr(
                    "exp_type",
                    name="exp_type",
                    value="mir_lrs-fixedslit|nis_soss",
                    force_unique=False,
                ),
                any_of(
                    attr(
                        "patttype",
                        name="patttype_spectarg",
                        value="|".join(exposures.NOD_PATTERN_TYPES),
                    )
                ),
            ),
            finalize=Finalize.FIXEDSLIT_BKG,
            description="Nodded slit spectroscopy; each nod's x1d is the others' background.",
        ),
        science_rule(
            "Asn_Lv3TSO",
            "tso3",
            _tso_constraints(),
            validity=(p.is_type_observation,),
            description="Time series observations (observation candidates only).",
        ),
        science_rule(
            "Asn_Lv3WFSCMB",
            "wfs-image3",
            all_of(
                optical_path(),
                target_constraint(),
                _image(),
                attr("patttype", name="patttype", value="wfsc"),
                attr("detector", name="detector"),
                attr("obs_id", name="obs_id"),
                attr("act_id", name="act_id"),
                none_of(attr("dms_note", name="dms_note", value="wfsc_los_jitter")),
            ),
            product_name=naming.product_name_wfscmb,
            validity=(p.pair_complete, p.is_type_not_group),
            description="Wavefront-sensing pairs (two exposures per activity).",
        ),
        science_rule(
            "Asn_Lv3WFSSMIR",
            "spec3",
            all_of(
                target_constraint(),
                attr("exp_type", name="exp_type", value="mir_wfss"),
                attr("filter", name="opt_elem", value="P750L"),
            ),
            product_name=naming.product_name_wfss,
            description="MIRI wide-field slitless spectroscopy.",
        ),
        science_rule(
            "Asn_Lv3WFSSNIS",
            "spec3",
            all_of(
                target_constraint(),
                attr("exp_type", name="exp_type", value="nis_wfss"),
                attr("filter", name="opt_elem", value="gr150r|gr150c", force_unique=True),
                attr("pupil", name="opt_elem2"),
            ),
            product_name=naming.product_name_wfss,
            description="NIRISS wide-field slitless spectroscopy.",
        ),
        science_rule(
            "Asn_Lv3WFSSNRC",
            "spec3",
            all_of(
                target_constraint(),
                attr("exp_type", name="exp_type", value="nrc_wfss"),
                attr("pupil", name="opt_elem", value="GRISMR|GRISMC", force_unique=True),
                attr("filter", name="opt_elem2"),
            ),
            product_name=naming.product_name_wfss,
            description="NIRCam wide-field slitless spectroscopy.",
        ),
    ]
    mosaic = science_rule(
        "Asn_Lv3ImageMosaic",
        "image3",
        all_of(
            optical_path(),
            _image(),
            _not_wfs_visit(),
            none_of(attr("bkgdtarg", name="bkgdtarg"), base_tso()),
        ),
        validity=(p.is_type_mosaic,),
        description="Imaging mosaics across observations (mosaic candidates only).",
    )
    rules.insert(4, mosaic)
    return tuple(rules)


def _tso_constraints() -> Group:
    return all_of(
        target_constraint(),
        optical_path(),
        base_tso(),
        attr("exp_type", name="exp_type"),
        none_of(
            attr(
                "exp_type",
                name="exp_type",
                value="mir_mrs|mir_flatmrs|nrs_autowave|nrs_ifu",
                force_unique=False,
            )
        ),
        none_of(
            all_of(
                attr("exp_type", name="restricted_grism", value="nrc_tsgrism"),
                attr("pupil", name="grism_clear", value="clear|gdhs0|gdhs60"),
            ),
            all_of(
                attr("exp_type", name="restricted_ts", value="nrc_tsgrism"),
                attr("detector", name="module", value="nrcblong"),
            ),
            attr(
                "subarray",
                name="subarray",
                value="sub260stripe4_dhs|sub41stripe1_dhs|sub82stripe2_dhs|sub164stripe4_dhs",
            ),
        ),
        none_of(
            all_of(
                attr("exp_type", name="exp_type", value="nis_soss"),
                attr("nints", name="nints", value="1"),
            ),
            all_of(
                attr("exp_type", name="exp_type", value="nis_soss"),
                test(False, test=p.soss_calibrated_is, force_unique=False),
            ),
        ),
        none_of(
            all_of(
                attr("exp_type", name="exp_type", value="nrs_brightobj"),
                test(False, test=p.brightobj_valid_is, force_unique=False),
            )
        ),
    )
