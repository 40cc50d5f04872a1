"""The DMS Level 2b rule set (jwst 3.0.0 ``rules_level2b``), as data.

Level 2b associations have one product per science exposure, with the
exposures calibrating it: backgrounds, imprints, target acquisitions, WFSS
direct images (replaced at finalize by the Level 3 image, catalog and
segmentation map). Nodded spectroscopy is split at finalize: every science
exposure gets its own association with the other nods as background.

Examples
--------
>>> rules = dms_level2b()
>>> len(rules), rules[2].name, rules[2].asn_type
(22, 'Asn_Lv2Image', 'image2')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from asnkit.dms import exposures as dms
from asnkit.dms.candidates import DIRECT_IMAGE_CANDIDATE
from asnkit.rules import naming
from asnkit.rules import predicates as p
from asnkit.rules.level3 import base_tso, not_tso, target_constraint
from asnkit.rules.model import (
    DirectImage,
    Finalize,
    Group,
    Rule,
    WorkOver,
    all_of,
    any_of,
    attr,
    none_of,
    not_all,
    test,
)

__all__ = ["dms_level2b", "level2_rule", "mode", "single_science"]


def _base() -> Group:
    return all_of(
        attr("program", name="program"),
        attr("tsovisit", name="is_tso", required=False, force_unique=True),
    )


def mode() -> Group:
    """Instrument, detector and optical path must agree; opaque/WFS/bad TSO excluded."""
    return all_of(
        attr("instrume", name="instrument"),
        attr("detector", name="detector"),
        attr("filter", "band", name="opt_elem"),
        attr("pupil", "grating", name="opt_elem2", required=False),
        attr("fxd_slit", name="fxd_slit", required=False),
        attr("subarray", name="subarray", required=False),
        attr("channel", name="channel", required=False),
        none_of(attr("detector", value="nirspec"), attr("filter", value="opaque")),
        not_all(attr("detector", value="nrcblong"), attr("exp_type", value="nrc_tsgrism")),
        none_of(attr("visitype", value=".+wfsc.+")),
        attr("fxd_slit", name="slit", required=False),
    )


def single_science(**options: Any) -> Group:
    """The exposure is science and the association has no science yet."""
    return all_of(
        test(True, source=p.is_science_exposure),
        test(False, source=p.has_science_now),
        **options,
    )


def _background() -> Any:
    return attr(
        "bkgdtarg",
        name="background",
        force_unique=False,
        force_reprocess=WorkOver.EXISTING,
        only_on_match=True,
    )


def _imprint() -> Group:
    return all_of(
        attr("is_imprt", name="imprint"), reprocess_on_match=True, work_over=WorkOver.EXISTING
    )


def _imprint_special() -> Group:
    return all_of(
        attr(
            "is_imprt",
            name="imprint",
            force_reprocess=WorkOver.EXISTING,
            only_on_match=True,
        ),
        attr("mostilno", name="mosaic_tile"),
        test("imprint", source=p.original_type_of_asn, test=p.value_differs, force_unique=False),
    )


def _image_science() -> Any:
    return attr("exp_type", name="exp_type", value="|".join(dms.IMAGE2_SCIENCE_EXP_TYPES))


def _image_nonscience() -> Group:
    return any_of(
        test("target_acquisition", name="target_acq", source=p.exposure_type_of_item),
        attr("exp_type", name="non_science", value="|".join(dms.IMAGE2_NONSCIENCE_EXP_TYPES)),
        all_of(
            attr("exp_type", name="exp_type", value="nrs_msaspec"),
            attr("msastate", value="primarypark_allopen"),
            attr("grating", value="mirror"),
        ),
    )


def _special() -> Any:
    return attr("bkgdtarg", "is_psf", name="is_special")


def _spectral_science(exclude: tuple[str, ...] = ()) -> Group:
    types = [t for t in dms.SPEC2_SCIENCE_EXP_TYPES if t not in exclude]
    return any_of(attr("exp_type", name="exp_type", value="|".join(types)))


def _wfsc() -> Group:
    return all_of(all_of(attr("visitype", name="wfsc", value=".+wfsc.+", force_unique=True)))


def _valid_ifu() -> Any:
    return test(True, test=p.valid_nrsifu, force_unique=False)


def _wfss_exposures() -> Group:
    return any_of(
        test("science", test=p.rule_exposure_differs, force_unique=False),
        single_science(),
    )


def _wfss_or_direct(grism: str, image: str) -> Group:
    return any_of(
        attr("exp_type", name="exp_type", value=grism),
        attr(
            "exp_type",
            name="image_exp_type",
            value=image,
            force_reprocess=WorkOver.NONSCIENCE,
            only_on_match=True,
        ),
    )


def level2_rule(
    name: str,
    asn_type: str,
    constraints: Group,
    *,
    exposure_type: Any = p.exposure_type_level2,
    finalize: Finalize = Finalize.DEFAULT,
    any_candidate: bool = False,
    integrations: Any = None,
    direct_image: DirectImage = DirectImage.CLOSEST,
    description: str = "",
) -> Rule:
    """A Level 2b rule: one product named after its science exposure.

    Associations are kept for observation candidates and for background candidates
    with a background member (:data:`~asnkit.rules.predicates.level2_allowed_candidates`),
    or for any candidate with ``any_candidate``.
    """
    validity = (p.has_science,) if any_candidate else (p.has_science, p.level2_allowed_candidates)
    return Rule(
        name=name,
        level=2,
        asn_type=asn_type,
        constraints=constraints,
        exposure_type=exposure_type,
        product_name=naming.level2_product_name,
        finalize=finalize,
        validity=validity,
        integrations=integrations,
        direct_image=direct_image,
        description=description,
    )


def _lrs_nod() -> Group:
    sci = all_of(
        attr("exp_type", name="exp_type", value="mir_lrs-fixedslit"),
        attr("patt_num", name="patt_num"),
        single_science(reprocess_on_match=True, work_over=WorkOver.EXISTING),
        attr("patttype", name="patttype", value="along-slit-nod", force_unique=False),
    )
    background = all_of(
        attr("exp_type", name="exp_type", value="mir_lrs-fixedslit"),
        attr("patt_num", name="is_current_patt_num", value=p.not_patt_num_pattern),
        test(None, name="force_match", source=p.false_source, test=p.true, force_unique=True),
        attr("patttype", name="patttype", value="along-slit-nod", force_unique=False),
    )
    taconfirm = attr("exp_type", name="exp_type", value="mir_taconfirm")
    base = all_of(_base(), test(True, test=p.asn_not_background_candidate, force_unique=False))
    return all_of(base, any_of(sci, background, taconfirm))


def _lrs_taconfirm() -> Group:
    lrs = "mir_lrs-slitless|mir_lrs-fixedslit"
    sci = all_of(single_science(), attr("exp_type", name="exp_type", value=lrs))
    bkg = all_of(_background(), not_tso(), attr("exp_type", name="exp_type", value=lrs))
    scibkg = all_of(mode(), any_of(sci, bkg))
    taconfirm = attr("exp_type", name="exp_type", value="mir_taconfirm")
    scita = all_of(attr("obs_id", name="obs_id"), any_of(sci, taconfirm))
    return all_of(_base(), any_of(scibkg, scita))


@lru_cache(maxsize=1)
def dms_level2b() -> tuple[Rule, ...]:
    """The 22 DMS Level 2b rules, in the reference registry's order (alphabetical)."""
    special = p.exposure_type_level2_special
    wfss = p.exposure_type_level2_wfss
    return (
        level2_rule(
            "Asn_Lv2CoronAsRate",
            "image2",
            all_of(
                _base(),
                mode(),
                attr("exp_type", name="exp_type", value="nrc_coron"),
                attr("subarray", name="subarray", value="full"),
                test(True, source=p.valid_nrccoron_source),
                any_of(_background(), single_science()),
            ),
            integrations=p.no_coron_integrations,
            description="NIRCam full-frame coronagraphy calibrated as plain rate images.",
        ),
        level2_rule(
            "Asn_Lv2FGS",
            "image2",
            all_of(
                _base(),
                single_science(),
                attr("exp_type", name="exp_type", value="fgs_image|fgs_focus"),
                none_of(_wfsc()),
            ),
            description="FGS images.",
        ),
        level2_rule(
            "Asn_Lv2Image",
            "image2",
            all_of(
                _base(),
                mode(),
                _image_science(),
                not_tso(),
                any_of(_background(), single_science()),
            ),
            description="Science images, with their background exposures.",
        ),
        level2_rule(
            "Asn_Lv2ImageNonScience",
            "image2",
            all_of(_base(), _image_nonscience(), single_science()),
            exposure_type=special,
            description="Non-science images (acquisitions, focus...) calibrated alone.",
        ),
        level2_rule(
            "Asn_Lv2ImageSpecial",
            "image2",
            all_of(_base(), mode(), _image_science(), single_science(), _special()),
            exposure_type=special,
            description="Background and PSF images calibrated as science.",
        ),
        level2_rule(
            "Asn_Lv2ImageTSO",
            "tso-image2",
            all_of(_base(), mode(), _image_science(), single_science(), base_tso()),
            description="Time-series images.",
        ),
        level2_rule(
            "Asn_Lv2MIRLRSFixedSlitNod",
            "spec2",
            _lrs_nod(),
            exposure_type=p.exposure_type_level2_lrs_nod,
            description="MIRI LRS fixed-slit nods: the other nod is the background.",
        ),
        level2_rule(
            "Asn_Lv2NRSFSS",
            "spec2",
            all_of(
                _base(),
                mode(),
                attr("exp_type", name="exp_type", value="nrs_fixedslit"),
                test(True, test=p.valid_nrsfss, force_unique=False),
                any_of(
                    test("science", test=p.rule_exposure_differs, force_unique=False),
                    all_of(
                        attr("expspcin", name="expspcin"),
                        attr("numdthpt", name="nods"),
                        attr("subpxpns", "subpxpts", name="subpxpts"),
                        test("science", test=p.rule_exposure_is, force_unique=False),
                    ),
                ),
            ),
            finalize=Finalize.NOD,
            description="NIRSpec fixed-slit nods.",
        ),
        level2_rule(
            "Asn_Lv2NRSIFUNod",
            "spec2",
            all_of(
                _base(),
                mode(),
                attr("exp_type", name="exp_type", value="nrs_ifu"),
                _valid_ifu(),
                attr("patttype", name="patttype", value="2-point-nod|4-point-nod"),
                attr("mostilno", name="mosaic_tile"),
            ),
            finalize=Finalize.IMPRINT_NOD,
            description="NIRSpec IFU nods, with imprints.",
        ),
        level2_rule(
            "Asn_Lv2NRSLAMPImage",
            "image2",
            all_of(
                _base(),
                single_science(),
                attr("exp_type", name="exp_type", value="nrs_lamp"),
                attr("grating", value="mirror"),
                attr("opmode", value="image", required=False),
            ),
            exposure_type=special,
            description="NIRSpec lamp images.",
        ),
        level2_rule(
            "Asn_Lv2NRSLAMPSpectral",
            "nrslamp-spec2",
            all_of(
                _base(),
                single_science(),
                attr("exp_type", name="exp_type", value="nrs_autoflat|nrs_autowave|nrs_lamp"),
                attr("filter", name="opt_elem", value="opaque"),
                test(True, test=p.valid_nrslamp, force_unique=False),
                any_of(
                    none_of(attr("opmode", name="opmode", value="msaspec")),
                    all_of(attr("opmode", value="msaspec"), attr("msametfl")),
                ),
                attr("lamp", name="lamp"),
                none_of(
                    attr("grating", value="mirror", force_unique=False),
                    attr("opmode", value="grating-only", force_unique=False),
                    attr("lamp", value="nolamp", force_unique=False),
                ),
            ),
            exposure_type=special,
            description="NIRSpec lamp spectra.",
        ),
        level2_rule(
            "Asn_Lv2NRSMSA",
            "spec2",
            all_of(
                _base(),
                mode(),
                all_of(
                    attr("exp_type", name="exp_type", value="nrs_msaspec"),
                    attr("msametfl"),
                    attr("expspcin", name="expspcin"),
                ),
            ),
            finalize=Finalize.NOD,
            description="NIRSpec MOS nods.",
        ),
        level2_rule(
            "Asn_Lv2Spec",
            "spec2",
            all_of(
                _base(),
                mode(),
                _spectral_science(
                    (
                        "nis_wfss",
                        "nrc_wfss",
                        "nrs_fixedslit",
                        "nrs_msaspec",
                        "mir_lrs-slitless",
                        "mir_lrs-fixedslit",
                    )
                ),
                any_of(
                    _background(),
                    all_of(
                        any_of(_imprint(), single_science()),
                        attr("mostilno", name="mostilno"),
                    ),
                ),
                none_of(
                    base_tso(),
                    attr("patttype", name="patttype", value="|".join(dms.NOD_PATTERN_TYPES)),
                ),
                _valid_ifu(),
            ),
            finalize=Finalize.IMPRINT,
            description="Spectra, with backgrounds and imprints.",
        ),
        level2_rule(
            "Asn_Lv2SpecImprint",
            "spec2",
            all_of(
                _base(),
                mode(),
                _spectral_science(),
                single_science(),
                _valid_ifu(),
                attr("is_imprt", name="imprint"),
            ),
            exposure_type=special,
            description="Imprint exposures calibrated alone.",
        ),
        level2_rule(
            "Asn_Lv2SpecSpecial",
            "spec2",
            all_of(
                _base(),
                mode(),
                _spectral_science(),
                _special(),
                _valid_ifu(),
                any_of(_imprint_special(), single_science()),
            ),
            exposure_type=special,
            finalize=Finalize.IMPRINT,
            description="Background and PSF spectra calibrated as science, with imprints.",
        ),
        level2_rule(
            "Asn_Lv2SpecTSO",
            "tso-spec2",
            all_of(
                all_of(
                    _base(),
                    mode(),
                    _spectral_science(
                        ("nrs_msaspec", "nrs_fixedslit", "mir_lrs-slitless", "mir_lrs-fixedslit")
                    ),
                    single_science(),
                    base_tso(),
                ),
                none_of(
                    all_of(
                        attr("exp_type", name="exp_type", value="nrc_tsgrism"),
                        attr("pupil", name="pupil", value="clear"),
                    )
                ),
                none_of(
                    all_of(
                        attr("exp_type", name="exp_type", value="nrs_brightobj"),
                        test(False, test=p.brightobj_valid_is, force_unique=False),
                    )
                ),
                none_of(
                    all_of(
                        attr("exp_type", name="exp_type", value="nis_soss"),
                        test(False, test=p.soss_calibrated_is, force_unique=False),
                    )
                ),
            ),
            description="Time-series spectra.",
        ),
        level2_rule(
            "Asn_Lv2WFSC",
            "image2",
            all_of(
                _base(),
                _image_science(),
                single_science(),
                _wfsc(),
                not_all(
                    attr("dms_note", name="dms_note", value="wfsc_los_jitter"),
                    attr("exp_type", name="exp_type", value="nrc_image"),
                ),
            ),
            description="Wavefront-sensing images (no line-of-sight jitter NIRCam images).",
        ),
        level2_rule(
            "Asn_Lv2WFSSMIR",
            "spec2",
            all_of(
                _base(),
                target_constraint(follow_science=False),
                _wfss_or_direct("mir_wfss", "mir_image"),
                attr("instrume", name="instrument"),
                attr("detector", name="detector"),
                _wfss_exposures(),
            ),
            exposure_type=wfss,
            finalize=Finalize.WFSS,
            description="MIRI WFSS with the direct image's catalog.",
        ),
        level2_rule(
            "Asn_Lv2WFSSNIS",
            "spec2",
            all_of(
                _base(),
                target_constraint(follow_science=False),
                _wfss_or_direct("nis_wfss", "nis_image"),
                attr("instrume", name="instrument"),
                attr("instrume", name="instrument"),
                attr("pupil", name="pupil"),
                attr("subarray", name="subarray"),
                _wfss_exposures(),
            ),
            exposure_type=wfss,
            finalize=Finalize.WFSS,
            description="NIRISS WFSS with the direct image's catalog.",
        ),
        level2_rule(
            "Asn_Lv2WFSSNRC",
            "spec2",
            all_of(
                _base(),
                target_constraint(follow_science=False),
                _wfss_or_direct("nrc_wfss", "nrc_image"),
                attr("instrume", name="instrument"),
                attr("detector", name="detector"),
                _wfss_exposures(),
            ),
            exposure_type=wfss,
            finalize=Finalize.WFSS,
            description="NIRCam WFSS with the direct image's catalog.",
        ),
        level2_rule(
            "Asn_Lv2WFSSParallel",
            "spec2",
            all_of(
                attr("asn_candidate", name="acdirect", value=DIRECT_IMAGE_CANDIDATE),
                _wfss_or_direct("nis_wfss|nrc_wfss|mir_wfss", "nis_image|nrc_image|mir_image"),
                _wfss_exposures(),
                target_constraint(follow_science=False),
                attr("instrume", name="instrument"),
            ),
            exposure_type=wfss,
            finalize=Finalize.WFSS,
            any_candidate=True,
            direct_image=DirectImage.LONG_CHANNEL,
            description="Pure-parallel WFSS (direct-image candidates), any candidate type.",
        ),
        level2_rule(
            "Asn_MIRLRSTAConfirm",
            "spec2",
            _lrs_taconfirm(),
            description="MIRI LRS with its target-acquisition confirmation image.",
        ),
    )
