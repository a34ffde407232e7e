"""`suggest`: proposals for unsorted papers, candidate themes, determinism and --apply."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.build import load_content
from generator.library.records import load_library
from generator.model import Paper
from generator.cli import main
from generator.curation.suggest import Proposal, render_yaml, suggest, suggest_library
from generator.library.edit import pin_record
from generator.analysis.themes import assign_themes, load_themes

ROOT = Path(__file__).resolve().parents[2]

THEMES = """\
themes:
  - id: baking
    title: Baking
    match_title: [{phrase: bread, specific: true}, {phrase: baking, specific: true}, {phrase: oven*, specific: true}]  # single words that name the topic
  - id: astronomy
    title: Astronomy
    match_title: [{phrase: telescope*, specific: true}, {phrase: galax*, specific: true}]  # single words that name the topic
  - id: music
    title: Music
    match_title: [{phrase: guitar*, specific: true}, {phrase: violin*, specific: true}]  # single words that name the topic
"""

PAPERS = {
    # sorted by the rules
    "bread-one": ("Better Bread", "Sourdough fermentation with wild yeast gives bread a sour crumb and an open crust."),
    "bread-two": ("Baking at Home", "Home baking of sourdough loaves, yeast, flour, hydration and fermentation times."),
    "oven-three": ("Oven Temperatures", "Steam in the oven helps the crust of sourdough loaves; flour and yeast matter less."),
    "scope-one": ("Telescope Optics", "Mirrors and lenses of a telescope focus starlight from distant galaxies and nebulae."),
    "galaxy-two": ("Galaxy Surveys", "Redshift surveys map galaxies; spectra of starlight reveal distance and motion."),
    "scope-three": ("Telescopes in Orbit", "Space telescopes observe nebulae and galaxies above the atmosphere's starlight blur."),
    "guitar-one": ("Guitar Chords", "Strings, frets and chords, harmony on the guitar and the strumming hand."),
    "violin-two": ("Violin Bowing", "Bowing strings of the violin shapes tone; vibrato and intonation of chords."),
    # unsorted
    "crumb-study": ("A Study of Crumb", "Sourdough crumb depends on fermentation, yeast activity and flour hydration."),
    "redshift-notes": ("Notes on Redshift", "Spectra of distant galaxies show redshift; starlight stretches with distance."),
    "hive-one": ("Keeping Bees", "Beekeeping with hives, honey, queens and the colony's swarming season with honeybees."),
    "hive-two": ("Honey Harvests", "Honey yields of beekeeping hives; honeybees, the queen and colony health."),
    "lonely": ("Tax Law", "Corporate taxation and statutes."),
}


def write_content(root: Path, themes: str = THEMES, papers: dict = PAPERS, extra: dict[str, str] | None = None) -> Path:
    (root / "papers").mkdir(parents=True)
    (root / "themes.yml").write_text(textwrap.dedent(themes), "utf-8")
    for key, (title, abstract) in papers.items():
        text = f"key: {key}\ntitle: {title}\nabstract: {abstract}\nadded: 2026-01-15\n"
        text += (extra or {}).get(key, "")
        (root / "papers" / f"{key}.yml").write_text(text, "utf-8")
    return root


def compute(root: Path, top: int = 3):
    content, problems = load_content(root)
    assert not problems, [str(p) for p in problems]
    assignments = assign_themes(content.papers, content.themes)
    return content, suggest(content.papers, content.themes, assignments, top=top)


def args(root: Path, apply: bool = False, top: int = 3, min_score: float = 0.0) -> list[str]:
    """The `suggest` command line for these options."""
    return ["suggest", "--content", str(root), "--top", str(top), "--min-score", str(min_score), *(["--apply"] if apply else [])]


def test_unsorted_papers_get_the_closest_existing_themes(tmp_path):
    _content, result = compute(write_content(tmp_path))
    best = {item.key: item.proposals[0].theme for item in result.unsorted if item.proposals}
    assert [item.key for item in result.unsorted] == ["crumb-study", "hive-one", "hive-two", "lonely", "redshift-notes"]
    assert best["crumb-study"] == "baking"
    assert best["redshift-notes"] == "astronomy"
    for item in result.unsorted:
        scores = [p.score for p in item.proposals]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)
        assert len(item.proposals) <= 3


def test_top_limits_the_proposals(tmp_path):
    _content, result = compute(write_content(tmp_path), top=1)
    assert all(len(item.proposals) <= 1 for item in result.unsorted)


def test_a_paper_is_never_offered_a_theme_it_keeps_out(tmp_path):
    root = write_content(tmp_path, extra={"crumb-study": "not_themes: [baking]\n"})
    _content, result = compute(root)
    crumb = next(item for item in result.unsorted if item.key == "crumb-study")
    assert "baking" not in [p.theme for p in crumb.proposals]


def test_similar_unsorted_papers_become_a_candidate_theme(tmp_path):
    _content, result = compute(write_content(tmp_path))
    hives = [c for c in result.candidates if c.members == ("hive-one", "hive-two")]
    assert len(hives) == 1, result.candidates
    candidate = hives[0]
    assert {"honey", "beekeeping"} & set(candidate.terms)
    assert candidate.id not in {"baking", "astronomy", "music"}
    assert "lonely" in result.leftover


def test_nothing_unsorted_means_nothing_to_suggest(tmp_path):
    papers = {k: v for k, v in PAPERS.items() if k in ("bread-one", "scope-one")}
    _content, result = compute(write_content(tmp_path, papers=papers))
    assert result.unsorted == () and result.candidates == ()


def test_output_is_yaml_a_curator_can_paste(tmp_path):
    from ruamel.yaml import YAML

    _content, result = compute(write_content(tmp_path))
    data = YAML(typ="safe").load(render_yaml(result))
    assert [entry["key"] for entry in data["unsorted"]] == [item.key for item in result.unsorted]
    assert set(data["unsorted"][0]["proposals"][0]) == {"theme", "score"}
    candidate = data["candidate_themes"][0]
    assert set(candidate) == {"id", "title", "intro", "match_title", "papers"}  # keys themes.yml accepts


def test_run_suggest_is_deterministic(tmp_path, capsys):
    root = write_content(tmp_path)
    assert main(args(root)) == 0
    first = capsys.readouterr().out
    assert main(args(root)) == 0
    second = capsys.readouterr().out
    assert first == second and "candidate_themes:" in first


def test_the_stage_returns_a_report_and_prints_nothing(tmp_path, capsys):
    root = write_content(tmp_path)
    report = suggest_library(root, apply=True)
    assert capsys.readouterr() == ("", "")
    assert report.problems == () and report.yaml.startswith("# python -m generator suggest")
    assert any(line.startswith("crumb-study: themes += baking") for line in report.pinned)
    assert report.summary(True, 0.0).startswith(f"suggest: {len(report.suggestions.unsorted)} unsorted of ")
    bad = suggest_library(write_content(tmp_path / "bad", themes="themes:\n  - id: Bad\n    title: x\n"))
    assert bad.suggestions is None and any("themes[0].id" in str(p) for p in bad.problems)


def test_suggest_on_the_shipped_library_is_deterministic(shipped_content):
    library = load_library(shipped_content)
    themes, _ = load_themes(shipped_content / "themes.yml")
    assignments = assign_themes(library.papers, themes)
    first = render_yaml(suggest(library.papers, themes, assignments))
    second = render_yaml(suggest(list(reversed(library.papers)), themes, assignments))
    assert first == second


def test_apply_writes_the_best_proposal_as_a_pin_and_keeps_comments(tmp_path, capsys):
    extra = {"crumb-study": "# a note the curator wrote\nstatus: to-read  # soon\n"}
    root = write_content(tmp_path, extra=extra)
    before = {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()}
    assert main(args(root, apply=True)) == 0
    after = {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()}
    changed = {name for name in before if before[name] != after[name]}
    assert "crumb-study.yml" in changed and "redshift-notes.yml" in changed
    assert not changed & {f"{k}.yml" for k in ("bread-one", "scope-one", "guitar-one")}
    assert after["crumb-study.yml"] == (
        "key: crumb-study\n"
        "title: A Study of Crumb\n"
        "abstract: Sourdough crumb depends on fermentation, yeast activity and flour hydration.\n"
        "added: 2026-01-15\n"
        "themes:\n"
        "  - baking\n"
        "# a note the curator wrote\n"
        "status: to-read  # soon\n"
    )
    for name in changed:  # nothing else changes: only lines were added
        old, new = before[name].splitlines(), after[name].splitlines()
        assert [line for line in new if line not in old][:1] == ["themes:"]
        assert all(line in new for line in old)
    _content, problems = load_content(root)
    assert problems == []
    assert "pinned crumb-study: themes += baking" in capsys.readouterr().err


def test_apply_respects_min_score(tmp_path):
    root = write_content(tmp_path)
    before = {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()}
    assert main(args(root, apply=True, min_score=1.1)) == 0
    assert {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()} == before


def test_apply_then_nothing_is_left_to_pin(tmp_path, capsys):
    root = write_content(tmp_path)
    main(args(root, apply=True))
    capsys.readouterr()
    before = {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()}
    main(args(root, apply=True))
    assert {p.name: p.read_text("utf-8") for p in (root / "papers").iterdir()} == before


def test_suggest_refuses_invalid_content(tmp_path, capsys):
    root = write_content(tmp_path, themes="themes:\n  - id: Bad\n    title: x\n")
    assert main(args(root)) == 1
    assert "themes[0].id" in capsys.readouterr().err


@pytest.mark.parametrize(
    "record, expected",
    [
        pytest.param(
            "key: k\nthemes:\n  - music\nstatus: read\n",
            "key: k\nthemes:\n  - music\n  - baking\nstatus: read\n",
            id="appends-to-a-list",
        ),
        pytest.param(
            "key: k\nthemes: [music]  # why\n",
            "key: k\nthemes: [music, baking] # why\n",
            id="appends-to-a-flow-list",
        ),
        pytest.param("key: k\nthemes:\n", "key: k\nthemes:\n  - baking\n", id="fills-an-empty-key"),
        pytest.param(
            "key: k\ntags: [x]\n\n# about the notes\nnotes: hi\n",
            "key: k\ntags: [x]\nthemes:\n  - baking\n\n# about the notes\nnotes: hi\n",
            id="comment-stays-with-the-next-key",
        ),
        pytest.param("key: k\nthemes: [baking]\n", None, id="already-pinned"),
    ],
)
def test_pin_record(record, expected):
    assert pin_record(record, "k.yml", "baking") == expected


def test_proposals_are_rounded_and_comparable():
    assert Proposal("x", 0.5) == Proposal("x", 0.5)
    paper = Paper(key="p", title="T", abstract="A", added="2026-01-15")
    empty = suggest([paper], (), {"p": ()})
    assert [item.proposals for item in empty.unsorted] == [()]
