"""An old-style arXiv id Mendeley splits into eprint and primaryclass is read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.reading.bibfile import read_bib
from generator.reading.bibvalues import find_arxiv_id

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "bib" / "real" / "mendeley-aurina.bib"


@pytest.mark.parametrize(("fields", "expected"), [
    ({"eprint": "0308036v2", "primaryclass": "arXiv:cs", "archiveprefix": "arXiv"}, "cs/0308036"),
    ({"eprint": "0308036v2", "primaryclass": "arXiv:cs"}, "cs/0308036"),
    ({"eprint": "0308036", "archiveprefix": "arXiv", "primaryclass": "cs.LG"}, "cs/0308036"),
    ({"eprint": "9901001", "archiveprefix": "arXiv", "primaryclass": "hep-th"}, "hep-th/9901001"),
    ({"eprint": "0309136", "eprinttype": "arxiv", "eprintclass": "math.GT"}, "math/0309136"),
    ({"eprint": "2106.09685", "archiveprefix": "arXiv", "primaryclass": "cs.LG"}, "2106.09685"),
])
def test_a_seven_digit_eprint_is_read_with_the_archive_its_class_names(fields, expected):
    assert find_arxiv_id(fields) == expected


@pytest.mark.parametrize("fields", [
    {"eprint": "0308036", "archiveprefix": "arXiv"},  # no archive
    {"eprint": "0308036", "primaryclass": "cs"},  # nothing says arXiv
    {"eprint": "0308036", "archiveprefix": "arXiv", "primaryclass": "cs hep-th"},  # two
    {"eprint": "0308036", "archiveprefix": "arXiv", "primaryclass": "biology"},  # no arXiv archive
    {"eprint": "0308036", "eprinttype": "hal", "primaryclass": "cs"},  # another archive's eprint
    {"eprint": "0399036", "archiveprefix": "arXiv", "primaryclass": "cs"},  # no month 99
    {"eprint": "15334406", "archiveprefix": "arXiv", "primaryclass": "cs"},  # eight digits: a PubMed id
])
def test_an_ambiguous_split_id_is_no_arxiv_id(fields):
    assert find_arxiv_id(fields) is None


def test_the_real_mendeley_export_gives_the_old_style_id():
    by_key = {c.bibkey: c for c in read_bib(REAL).candidates}
    zhou = by_key["Zhou2003"]
    assert zhou.arxiv == "cs/0308036"
    assert dict(zhou.extra)["arxivid"] == "arXiv:cs/0308036v2"  # the export's own field is kept
    assert by_key["Finn2015"].arxiv is None and dict(by_key["Finn2015"].extra)["eprint"] == "15334406"
