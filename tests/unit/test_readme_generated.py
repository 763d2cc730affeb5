# SPDX-License-Identifier: GPL-3.0-or-later
import re
from pathlib import Path

from tools.render_readme import render, sections

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tables_match_their_sources():
    text = README.read_text()
    assert render(text) == text, "README tables are stale: run `make readme`"


def test_every_role_has_a_variables_table():
    assert "variables-container" in sections()


def test_every_generated_section_of_the_readme_has_a_source():
    """A marker without its source (a figure file not committed, a renamed role) would stay empty."""
    names = re.findall(r"<!-- generated:(\S+) \(make readme\) -->", README.read_text())
    assert names and sorted(set(names) - set(sections())) == []


def test_every_figure_says_which_run_measured_it_and_where():
    for name, body in sections().items():
        if name.startswith("figures-"):
            assert re.match(r"Measured by `[^`]+` on \d{4}-\d\d-\d\d, commit `[0-9a-f]{10}(\+changes)?`, on \d+ cores, ", body), name
