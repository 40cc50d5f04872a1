"""The notebooks in notebooks/ run top to bottom, offline, on shipped data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_are_there_and_numbered():
    assert [p.stem[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_is_plain_python(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        assert "__import__(" not in cell.source, cell.source[:60]


#: A table cell pandas cut (``..._asn....``, ``reads on...``): the part that mattered is hidden.
_CUT = re.compile(r"\w\.{3,4}(?=\s|$)", re.MULTILINE)


def _tables_shown(book) -> list[str]:
    """The text of every DataFrame a cell shows (outputs with an HTML table)."""
    return [
        output["data"]["text/plain"]
        for cell in book.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "execute_result" and "text/html" in output["data"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_error(path, tmp_path):
    # run a copy in a scratch folder so what the notebook writes stays out of the repo
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    book = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        book,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        output
        for cell in book.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    tables = _tables_shown(book)
    assert tables
    for text in tables:
        assert not _CUT.search(text), text
    if path.stem.startswith("01_"):  # junk rows are explained, not shown as exposures
        assert not any("set acid" in text for text in tables)
    images = sum(
        "image/png" in output.get("data", {})
        for cell in book.cells
        for output in cell.get("outputs", [])
    )
    if path.stem.startswith("03_"):
        assert images >= 4  # the sky plots and the schematic grid were drawn
