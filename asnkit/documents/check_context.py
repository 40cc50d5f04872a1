"""The association under check: its pipeline, its members' exposure facts, its findings.

:class:`CheckedAssociation` is what every check of :func:`asnkit.check` receives
(:mod:`asnkit.documents.check_members`, :mod:`asnkit.documents.check_files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from asnkit.dms.identifiers import member_name_problem
from asnkit.documents.exposures import ExposureFacts, PoolIndex, header_facts, member_facts
from asnkit.documents.findings import Finding
from asnkit.documents.model import Association
from asnkit.documents.parts import Member
from asnkit.documents.pipelines import Pipeline, pipeline_for

__all__ = ["CheckedAssociation", "member_list", "plural"]


def plural(n: int, word: str) -> str:
    """``"1 member"``, ``"2 members"``."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def member_list(members: Iterable[Member], limit: int = 3) -> str:
    """The first member names, and how many more."""
    names = [str(m.expname) for m in members]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class CheckedAssociation:
    """One association being checked: its pipeline, its members' facts and the findings.

    ``facts[i][j]`` is what is known of member ``j`` of product ``i``
    (:class:`~asnkit.documents.exposures.ExposureFacts`).
    """

    def __init__(
        self,
        asn: Association,
        pool: PoolIndex | None,
        folder: Path | None,
        available: set[str] | None,
    ) -> None:
        self.asn = asn
        self.pool = pool
        self.pipeline: Pipeline | None = pipeline_for(asn.asn_type)
        self.level = self.pipeline.level if self.pipeline else asn.level
        self.folder = folder
        self.available = available
        self.findings: list[Finding] = []
        headers = self._headers() if folder is not None or available else None
        self.facts = [member_facts(p.members(), pool=pool, headers=headers) for p in asn.products]

    def add(self, code: str, path: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(code, path, message, hint, asn=self.asn.filename))

    def _headers(self) -> dict[str, ExposureFacts]:
        out: dict[str, ExposureFacts] = {}
        for member in self.asn.members():
            name = str(member.expname)
            path = self.path_of(name)
            if path is not None and path.suffix.lower() == ".fits" and path.is_file():
                facts = header_facts(path)
                if facts is not None:
                    out[name] = facts
        return out

    def path_of(self, expname: str) -> Path | None:
        """Where the pipeline looks for a member: ``asn_dir / expname`` (ModelLibrary).

        ``None`` without a folder, and for a name that is not a plain relative path
        (absolute, ``..``, control characters) or that resolves (through links) outside
        the folder: a document's values never make asnkit open a file elsewhere.
        """
        if self.folder is None or member_name_problem(expname) is not None:
            return None
        path = self.folder / expname
        try:  # realpath reads links (lstat/readlink) without following them to a file
            real = Path(os.path.realpath(path))
            inside = real.is_relative_to(os.path.realpath(self.folder))
        except (OSError, ValueError):  # a name the OS refuses
            return None
        return path if inside else None

    def science(self, i: int) -> list[tuple[Member, ExposureFacts]]:
        product = self.asn.products[i]
        return [
            (m, f)
            for m, f in zip(product.members(), self.facts[i], strict=True)
            if m.role == "science"
        ]
