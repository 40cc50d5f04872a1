"""Computed conditions of the DMS rules: small frozen objects that explain themselves.

A rule is data; the few conditions it cannot say with a column and a value
are these objects (the model is ``attrs``' validators). Each is callable with
the signature of the place it fills, has a readable ``repr`` (the name a
rule's ``describe()`` shows), says in words what it checks (:attr:`~Condition.text`)
and why an exposure or an association fails it (:meth:`~Condition.failure`),
and tells the engine what it reads (:attr:`~Condition.columns`: only these pool
columns of the exposure, so it can be checked over the whole pool at once;
``None``: the association too).

=====================  ==========================  ==========================================
place                  signature                   objects
=====================  ==========================  ==========================================
``Test.source``        ``(item, asn) -> value``    :class:`OwnRole`, :class:`RuleRoleIs`,
                                                   :class:`HasScienceNow`, :class:`Constant`...
``Test.test``          ``(value, got, asn)``       :class:`Calibrated`, :class:`Never`...
``Attr.onlyif``        ``(item, asn) -> bool``     :class:`RuleRoleIs`
``Attr.value``         ``(asn) -> pattern``        :class:`ScienceObservations`,
                                                   :class:`OtherThanPinned`
``Rule.exposure_type`` ``(item, asn) -> role``     :class:`MemberRole` and subclasses
``Rule.validity``      ``(member, asn) -> bool``   :class:`HasMember`, :class:`CandidateKinds`,
                                                   :class:`Level2Candidates`,
                                                   :class:`PairComplete`
``Rule.integrations``  ``(item, asn) -> bool``     :class:`Integrations`
=====================  ==========================  ==========================================

The module-level names (``has_science``, ``valid_nrsfss``...) are the
instances the DMS rule sets use. Plain functions work in rules too (they are
called the same way); they just explain themselves less well. The base class
and the marks for plain functions are in :mod:`asnkit.rules.condition`, the
member roles in :mod:`asnkit.rules.roles`; this module has every name of both.

Examples
--------
>>> has_science, has_science.text
(has_science, 'it has a science member')
>>> is_type_mosaic.accepts_candidate_type('mosaic'), is_type_mosaic.accepts_candidate_type('group')
(True, False)
>>> valid_nrsfss.failure()
'the NIRSpec fixed-slit optical path (slit, grating, filter, detector) is not calibrated'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asnkit.dms import exposures
from asnkit.rules.condition import AsnReads, Condition, Reading, asn_state, describe, reads
from asnkit.rules.roles import (
    MemberRole,
    OwnRole,
    exposure_type_aux,
    exposure_type_level2,
    exposure_type_level2_lrs_nod,
    exposure_type_level2_special,
    exposure_type_level2_wfss,
    exposure_type_level3,
    exposure_type_of_item,
)

__all__ = [
    "Calibrated",
    "CandidateKinds",
    "Condition",
    "Constant",
    "HasMember",
    "HasScienceNow",
    "Integrations",
    "Level2Candidates",
    "MemberRole",
    "Never",
    "OtherThanPinned",
    "OwnRole",
    "PairComplete",
    "PreviousRole",
    "RuleRoleIs",
    "ScienceObservations",
    "ValueDiffers",
    "acq_obsnum_pattern",
    "always_false",
    "asn_not_background_candidate",
    "asn_state",
    "brightobj_valid_is",
    "default_integrations",
    "describe",
    "exposure_type_aux",
    "exposure_type_level2",
    "exposure_type_level2_lrs_nod",
    "exposure_type_level2_special",
    "exposure_type_level2_wfss",
    "exposure_type_level3",
    "exposure_type_of_item",
    "false_source",
    "has_psf",
    "has_science",
    "has_science_now",
    "is_not_background",
    "is_science_exposure",
    "is_type_mosaic",
    "is_type_not_group",
    "is_type_observation",
    "level2_allowed_candidates",
    "no_coron_integrations",
    "not_patt_num_pattern",
    "original_type_of_asn",
    "pair_complete",
    "reads",
    "rule_exposure_differs",
    "rule_exposure_is",
    "soss_calibrated_is",
    "target_000",
    "true",
    "valid_nrccoron",
    "valid_nrccoron_source",
    "valid_nrsfss",
    "valid_nrsifu",
    "valid_nrslamp",
    "value_differs",
]


# --------------------------------------------------------------------------- sources and tests


@dataclass(frozen=True, repr=False)
class RuleRoleIs(Condition):
    """The rule's role for the exposure is (``equal``) or is not ``role``.

    As a source or ``onlyif``: ``(item, asn) -> bool``; as a test:
    ``(value, item, asn)``, comparing with the test's ``value``.
    """

    role: str | None = None
    equal: bool = True

    def __call__(self, *args: Any) -> bool:
        if len(args) == 3:  # a test: (value, item, asn)
            wanted, item, asn = args
        else:  # a source or onlyif: (item, asn)
            item, asn = args
            wanted = self.role
        return (asn.rule.exposure_type(item, asn) == wanted) is self.equal

    def reading(self, rule: Any = None) -> Reading | None:
        """What the rule's role (``rule.exposure_type``) reads."""
        role = getattr(rule, "exposure_type", None)
        return role.reading(rule) if isinstance(role, Condition) else None


@dataclass(frozen=True, repr=False)
class HasScienceNow(Condition):
    """Source: the association has a science member (once it has, it keeps it)."""

    def __call__(self, item: Any, asn: Any) -> bool:
        return asn.has_science()

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((), AsnReads.MEMBERS)


@dataclass(frozen=True, repr=False)
class PreviousRole(Condition):
    """Source: the role the association's last role lookup computed (jwst keeps it as state)."""

    def __call__(self, item: Any, asn: Any) -> Any:
        return asn.original_exposure_type

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((), AsnReads.ROLE)


@dataclass(frozen=True, repr=False)
class Constant(Condition):
    """Source: always the same value."""

    value: Any = None

    def __call__(self, item: Any, asn: Any) -> Any:
        return self.value

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading()


@dataclass(frozen=True, repr=False)
class ValueDiffers(Condition):
    """Test: the source's value differs from the test's value."""

    def __call__(self, value: Any, got: Any, asn: Any) -> bool:
        return value != got

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading()  # (what the source read, and the test's value)

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return f"{self.label or self.name} is {got!r}, must not be {value!r}"


@dataclass(frozen=True, repr=False)
class Never(Condition):
    """Test: never holds (a rule that sends exposures elsewhere and makes no association)."""

    def __call__(self, value: Any, got: Any, asn: Any) -> bool:
        return False

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading()

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return f"the rule makes no association of its own ({self.name})"


@dataclass(frozen=True, repr=False)
class _Always(Condition):
    def __call__(self, value: Any, got: Any, asn: Any) -> bool:
        return True

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading()


@dataclass(frozen=True, repr=False)
class _CandidateTypeIsNot(Condition):
    kind: str = ""

    def __call__(self, value: Any, item: Any, asn: Any) -> bool:
        return asn.acid[1] != self.kind

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((), AsnReads.STATES, None)  # the id: the acid constraints' values


@dataclass(frozen=True, repr=False)
class Calibrated(Condition):
    """The exposure's optical path is one the pipeline calibrates (a :mod:`asnkit.dms` check).

    As a test, ``compare``: the check's answer must equal the test's value
    (``False`` finds the uncalibrated ones); else the value is not looked at.
    """

    check: Callable[[Mapping[str, str]], bool] | None = field(default=None, compare=True)
    compare: bool = False

    def __call__(self, *args: Any) -> bool:
        if len(args) == 2:  # a source: (item, asn)
            return bool(self.check(args[0]))  # type: ignore[misc]
        value, item, _ = args
        result = self.check(item)  # type: ignore[misc]
        return result == value if self.compare else result

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        if self.compare and value is False:
            return f"{self.text} (it is)"
        return f"{self.text} is not calibrated" if self.text else f"{self.name} is false"


is_science_exposure = RuleRoleIs(
    "is_science_exposure", "the rule's role for it is science", role="science"
)
is_not_background = RuleRoleIs(
    "is_not_background", "the rule's role for it is not background", role="background", equal=False
)
rule_exposure_is = RuleRoleIs("rule_exposure_is", "the rule's role for the exposure", label="role")
rule_exposure_differs = RuleRoleIs(
    "rule_exposure_differs", "the rule's role for the exposure", equal=False, label="role"
)
has_science_now = HasScienceNow(
    "has_science_now", "the association has a science member", state_only=True
)
original_type_of_asn = PreviousRole("original_type_of_asn", "the role computed last")
value_differs = ValueDiffers("value_differs", "the value differs")
target_000 = Constant("target_000", "target 000", columns=(), value="000")
false_source = Constant("false_source", "never", value=False)
always_false = Never("always_false", "never holds", columns=())
true = _Always("true", "always holds")
asn_not_background_candidate = _CandidateTypeIsNot(
    "asn_not_background_candidate", "the candidate is not a background candidate", kind="background"
)
valid_nrccoron = Calibrated(
    "valid_nrccoron",
    "the NIRCam coronagraphy detector (it must see the mask)",
    columns=("detector", "subarray", "pupil"),
    check=exposures.nrccoron_valid_detector,
)
valid_nrccoron_source = valid_nrccoron
valid_nrsfss = Calibrated(
    "valid_nrsfss",
    "the NIRSpec fixed-slit optical path (slit, grating, filter, detector)",
    columns=("detector", "filter", "grating", "fxd_slit"),
    check=exposures.nrsfss_valid_detector,
)
valid_nrsifu = Calibrated(
    "valid_nrsifu",
    "the NIRSpec IFU optical path (grating, filter, detector)",
    columns=("exp_type", "detector", "filter", "grating"),
    check=exposures.nrsifu_valid_detector,
)
valid_nrslamp = Calibrated(
    "valid_nrslamp",
    "the NIRSpec lamp path (detector, grating, mode, lamp)",
    columns=("detector", "grating", "opmode", "lamp"),
    check=exposures.nrslamp_valid_detector,
)
soss_calibrated_is = Calibrated(
    "soss_calibrated_is",
    "the NIRISS SOSS filter",
    columns=("exp_type", "filter"),
    check=exposures.nissoss_calibrated_filter,
    compare=True,
)
brightobj_valid_is = Calibrated(
    "brightobj_valid_is",
    "the NIRSpec bright-object optical path (slit, grating, filter, detector)",
    columns=("detector", "filter", "grating", "fxd_slit"),
    check=exposures.nrsfss_valid_detector,
    compare=True,
)


# --------------------------------------------------------------------------- computed values


@dataclass(frozen=True, repr=False)
class ScienceObservations(Condition):
    """``Attr.value``: the observations the association has science from (``(1|2)``)."""

    def __call__(self, asn: Any) -> str:
        return "(" + "|".join(asn.found("obs_num")) + ")"

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((), AsnReads.STATES, ("obs_num",))

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return (
            f"obs_num is {got!r}: a target acquisition joins only an association "
            "with science from its observation"
        )


@dataclass(frozen=True, repr=False)
class OtherThanPinned(Condition):
    """``Attr.value``: any value but the one the association pinned for ``constraint``."""

    constraint: str = ""

    def __call__(self, asn: Any) -> str:
        return f"((?!{asn.value(self.constraint)}).)*"

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((), AsnReads.STATES, (self.constraint,))


acq_obsnum_pattern = ScienceObservations(
    "acq_obsnum_pattern", "an observation the association has science from"
)
not_patt_num_pattern = OtherThanPinned(
    "not_patt_num_pattern", "another pattern position than the science's", constraint="patt_num"
)


# --------------------------------------------------------------------------- validity


@dataclass(frozen=True, repr=False)
class HasMember(Condition):
    """Validity: the association has a member of this role."""

    role: str = "science"

    def __call__(self, member: Mapping[str, Any], asn: Any) -> bool:
        return member["exptype"] == self.role

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return f"it has no {self.role} member"


@dataclass(frozen=True, repr=False)
class CandidateKinds(Condition):
    """Validity: the association's candidate type is one of ``kinds`` (or, ``exclude``, not).

    ``discovered`` is the type of associations made across the pool (``a3001``).
    """

    kinds: frozenset[str] = frozenset()
    exclude: bool = False

    def __call__(self, member: Any, asn: Any) -> bool:
        return self.accepts_candidate_type(asn.acid[1])

    def accepts_candidate_type(self, kind: str) -> bool:
        return (kind.lower() in self.kinds) is not self.exclude

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return f"the rule {self.text}"


@dataclass(frozen=True, repr=False)
class Level2Candidates(Condition):
    """Validity: an observation candidate, or a background candidate with a background member."""

    def accepts_candidate_type(self, kind: str) -> bool:
        return kind.lower() in ("observation", "background")

    def __call__(self, member: Any, asn: Any) -> bool:
        kind = asn.acid[1].lower()
        if kind == "observation":
            return True
        if kind == "background":
            return any(m["exptype"].lower() == "background" for m in asn.members)
        return False

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return (
            "Level 2b keeps observation candidates, and background candidates with a "
            "background member"
        )


@dataclass(frozen=True, repr=False)
class PairComplete(Condition):
    """Validity: a wavefront-sensing pair (true when the second member arrives)."""

    def __call__(self, member: Any, asn: Any) -> bool:
        return len(asn.members) == 1

    def failure(self, value: Any = None, got: Any = None) -> str | None:
        return "the wavefront-sensing pair is incomplete"


has_science = HasMember("has_science", "it has a science member", role="science")
has_psf = HasMember("has_psf", "it has a PSF member", role="psf")
is_type_observation = CandidateKinds(
    "is_type_observation",
    "keeps only observation candidates",
    kinds=frozenset({"observation"}),
)
is_type_mosaic = CandidateKinds(
    "is_type_mosaic", "keeps only mosaic candidates", kinds=frozenset({"mosaic"})
)
is_type_not_group = CandidateKinds(
    "is_type_not_group",
    "does not keep group candidates",
    kinds=frozenset({"group"}),
    exclude=True,
)
pair_complete = PairComplete("pair_complete", "a complete wavefront-sensing pair")
level2_allowed_candidates = Level2Candidates(
    "level2_allowed_candidates",
    "observation candidates, or background candidates with a background member",
)


# --------------------------------------------------------------------------- integrations


@dataclass(frozen=True, repr=False)
class Integrations(Condition):
    """Which members are per-integration files (``*ints``): coronagraphy (unless not
    ``coron``), AMI and time series (a TSO visit pinned by the association counts)."""

    coron: bool = True

    def __call__(self, item: Any, asn: Any) -> bool:
        try:
            tso_visit = asn.value("is_tso") == "t"
        except KeyError:
            tso_visit = False
        return exposures.uses_integrations(item, tso_visit=tso_visit, coron=self.coron)


default_integrations = Integrations(
    "default_integrations", "coronagraphic, AMI and time-series members use *ints files"
)
no_coron_integrations = Integrations(
    "no_coron_integrations",
    "AMI and time-series members use *ints files (coronagraphy as plain images)",
    coron=False,
)
