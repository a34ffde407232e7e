"""Suggest stage: help a curator sort the papers no theme rule places.

`python -m generator suggest` prints YAML a curator can paste:

- for every unsorted paper, the existing themes it resembles most, ranked by
  cosine similarity between the paper's TF-IDF vector (title + abstract) and
  the centroid of each theme's current members, and scored by how often the
  library's own placed papers at that closeness (the cosine plus its lead
  over the next theme) were in the theme (generator/curation/calibrate.py);
- candidate new themes, found by clustering the unsorted papers
  (agglomerative on cosine distance between TF-IDF vectors, which needs no
  random seed; k-means with a fixed seed for very large backlogs), each with
  its most distinctive terms and its members,
  written as a theme entry ready to paste into content/themes.yml.

`--apply` writes the best proposal into each unsorted paper's record as a
`themes:` pin (round-trip YAML, so comments and other fields are kept).

`suggest()` is pure and deterministic: the same library gives the same
`Suggestions`, and `render_yaml()` the same bytes. `suggest_library` reads
the content and applies pins; only the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.analysis.stopwords import GENERIC_WORDS
from generator.curation import candidates as candidates_module
from generator.curation.calibrate import UNCALIBRATED, Calibration, calibrate
from generator.curation.candidates import CandidateTheme
from generator.library.edit import pin_record
from generator.library.yamlio import dump_yaml
from generator.model import Paper, Problem, ThemeAssignment

SCORE_DIGITS = 2  # calibrated scores
COSINE_DIGITS = 3
MAX_CLUSTERS = 12
REASON_TERMS = 3
DEFAULT_MIN_SCORE = 0.8  # --apply pins only proposals a curator agreed with this often


@dataclass(frozen=True)
class Proposal:
    theme: str
    score: float  # calibrated: the share of the library's placed papers at this cosine that were in the theme
    cosine: float = 0.0  # raw cosine similarity to the theme's centroid
    reasons: tuple[str, ...] = ()  # terms the paper shares most with the theme's members, strongest first
    rules: str = ""  # what the theme's rules found short of placing the paper, or what kept it out
    lead: float = 0.0  # raw cosine minus the next closest theme's: a clear lead is evidence too


@dataclass(frozen=True)
class PaperSuggestion:
    key: str
    title: str
    proposals: tuple[Proposal, ...]  # best first


@dataclass(frozen=True)
class Suggestions:
    library_size: int
    unsorted: tuple[PaperSuggestion, ...]
    candidates: tuple[CandidateTheme, ...]
    leftover: tuple[str, ...]  # unsorted papers in no candidate theme
    calibration: Calibration = UNCALIBRATED
    baseline: float = 0.0  # mean cosine over all pairs of the library's papers


# --------------------------------------------------------------------------- computation


def paper_text(paper: Paper) -> str:
    """The text compared: the title counts twice, being the densest summary."""
    return f"{paper.title}. {paper.title}. {paper.abstract}"


# Words every abstract in this field uses: they say nothing about a theme.
BOILERPLATE = frozenset(
    """
    abstract achieve achieves achieved achieving address addresses allow allows approach approaches based called
    benefit better challenge challenges code common compared comparison conduct considerable current data
    demonstrate demonstrates demonstrating despite different effective effectively effectiveness efficient
    efficiency enable enables evaluate evaluated existing experiment experiments experimental extensive
    framework furthermore github help high however improve improved improvement improvements improves
    improving including introduce introduces key language large learning llm llms making method methods model
    models modeling modelling new novel number open outperform outperforms paper parameters performance
    popular potential pre present presents previous problem problems propose proposed provide provides recent
    recently release released research result results scale scaling second set setting settings shot show shows
    significant significantly simple source specific state study studies superior task tasks technique
    techniques train trained training typically use used uses using various way wide widely work works
    """.split()
)


def _vectorizer(n_docs: int):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    return TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | BOILERPLATE),
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=2 if n_docs >= 20 else 1,
        max_df=0.5 if n_docs >= 20 else 1.0,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9]+\b",  # words, not bare numbers
        dtype=np.float64,
    )


def suggest(
    papers: tuple[Paper, ...] | list[Paper],
    themes: tuple[Any, ...] | list[Any],
    assignments: dict[str, tuple[ThemeAssignment, ...]],
    top: int = 3,
    max_clusters: int = MAX_CLUSTERS,
) -> Suggestions:
    """Proposals for the unsorted papers and candidate new themes (pure, deterministic)."""
    papers = sorted(papers, key=lambda p: p.key)
    unsorted = [p for p in papers if not assignments.get(p.key)]
    if not papers or not unsorted:
        return Suggestions(len(papers), (), (), ())
    vectorizer = _vectorizer(len(papers))
    texts = [paper_text(p) for p in papers]
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no usable words at all (empty vocabulary)
        return Suggestions(len(papers), tuple(PaperSuggestion(p.key, p.title, ()) for p in unsorted), (), tuple(p.key for p in unsorted))
    terms = np.asarray(vectorizer.get_feature_names_out())
    theme_ids = [t.id for t in themes]
    membership = np.array([[any(a.theme == t for a in assignments.get(p.key, ())) for t in theme_ids] for p in papers], dtype=np.int8).reshape(len(papers), len(theme_ids))
    placed = membership.any(axis=1)
    calibration = calibrate(matrix, membership, placed, ranks=top)
    rows = [i for i, p in enumerate(papers) if not placed[i]]
    sums = np.asarray(matrix.T @ membership.astype(np.float64)).T  # themes x terms
    norms = np.linalg.norm(sums, axis=1)
    usable = [j for j in range(len(theme_ids)) if norms[j] > 0]
    by_id = {t.id: t for t in themes}
    suggestions = [_propose(papers[i], matrix[i], sums, norms, usable, theme_ids, terms, calibration, top) for i in rows]
    suggestions = [_with_rule_notes(item, papers[rows[n]], by_id) for n, item in enumerate(suggestions)]
    baseline = candidates_module.baseline_cosine(matrix)
    candidates = candidates_module.candidate_themes(
        matrix[rows], terms, [papers[i].key for i in rows], [texts[i] for i in rows], set(theme_ids), baseline, max_clusters
    )
    grouped = {k for c in candidates for k in c.members}
    leftover = tuple(sorted(p.key for p in unsorted if p.key not in grouped))
    return Suggestions(len(papers), tuple(suggestions), candidates, leftover, calibration, round(baseline, 4))


def _propose(paper: Paper, row, sums, norms, usable, theme_ids, terms, calibration: Calibration, top: int) -> PaperSuggestion:
    """The `top` themes closest to one unsorted paper, each with its score and reasons."""
    dense = np.asarray(row.todense()).ravel()
    cosines = {j: round(float(sums[j] @ dense / norms[j]), COSINE_DIGITS) for j in usable}
    ranked = sorted(usable, key=lambda j: (-cosines[j], j))
    proposals: list[Proposal] = []
    for j in ranked:
        if cosines[j] <= 0 or theme_ids[j] in paper.not_themes:
            continue
        at = ranked.index(j)
        lead = round(cosines[j] - (cosines[ranked[at + 1]] if at + 1 < len(ranked) else 0.0), COSINE_DIGITS)
        score = round(calibration(cosines[j], len(proposals), cosines[j] - lead), SCORE_DIGITS)
        proposals.append(Proposal(theme_ids[j], score, cosines[j], _reasons(dense, sums[j], terms), lead=lead))
        if len(proposals) >= top:
            break
    return PaperSuggestion(paper.key, paper.title, tuple(proposals))


def _with_rule_notes(item: PaperSuggestion, paper: Paper, themes: dict[str, Any]) -> PaperSuggestion:
    """Each proposal with what its theme's rules found in the paper (see `rule_note`)."""
    notes = [rule_note(themes[p.theme], paper) if p.theme in themes else "" for p in item.proposals]
    return replace(item, proposals=tuple(replace(p, rules=note) for p, note in zip(item.proposals, notes)))


def rule_note(theme: Any, paper: Paper) -> str:
    """What the theme engine found short of placing the paper: a single hint, or an `unless` that kept it out.

    The rules are asked again with one hint enough; what they find then is
    the evidence a curator weighs (widen a rule, or pin).
    """
    from generator.analysis.themes import explain_exclusion, rule_reason

    rules = getattr(theme, "rules", None)
    if rules is None or rules.empty:
        return ""
    kept_out = explain_exclusion(rules, paper.title, paper.abstract)
    if kept_out:
        return f"kept out by an unless phrase: {kept_out}"
    found = rule_reason(replace(rules, min_hints=1), paper.title, paper.abstract)
    return f"{found}, not enough for the rules alone" if found else ""


def _reasons(row: np.ndarray, centroid: np.ndarray, terms) -> tuple[str, ...]:
    """The terms that contribute most to the cosine, a two-word phrase before its own words.

    Ordinary words of research writing ("lack", "enhance": GENERIC_WORDS) are
    passed over when anything more telling is shared.
    """
    weight = row * centroid
    order = sorted(np.flatnonzero(weight > 0), key=lambda i: (-round(float(weight[i]), 9), terms[i]))[:12]
    ranked = [str(terms[i]) for i in order]
    telling = [t for t in ranked if not GENERIC_WORDS.issuperset(t.split())]
    ranked = telling or ranked
    phrases = [t for t in ranked if " " in t]
    return tuple(_distinct_terms(phrases + [t for t in ranked if " " not in t], REASON_TERMS))


def _distinct_terms(terms: list[str], limit: int) -> list[str]:
    """Drop a word when a kept two-word term already contains it, and vice versa."""
    kept: list[str] = []
    for term in terms:
        words = {w.rstrip("s") for w in term.split()}  # "schema" and "schemas" are one term
        if any(words <= {w.rstrip("s") for w in k.split()} or {w.rstrip("s") for w in k.split()} <= words for k in kept):
            continue
        kept.append(term)
        if len(kept) >= limit:
            break
    return kept


# --------------------------------------------------------------------------- output


HEADER = """\
# python -m generator suggest
# {unsorted} of {total} papers match no theme rule or pin.
#
# unsorted: each paper's closest existing themes, best first.
#   score: how often a curator agreed with a proposal like this one. Each paper
#   of this library was left out of the theme centroids in turn and given
#   proposals; {positives} of them named one of its themes, {negatives} did not
#   (an unsorted paper's proposals count as not). A monotone fit, per rank,
#   from cosine to that agreement gives the score: 0.5 means that half of the
#   library's proposals at this rank and closeness were right. cosine: the raw
#   TF-IDF cosine to the centroid of the theme's members. because: the terms
#   the paper shares most with those members. rules: what the theme's rules
#   found in the paper short of placing it (or the unless phrase that kept it
#   out). To accept one, add
#   `themes: [<id>]` to the paper's record, widen the theme's rules in
#   content/themes.yml, or run `suggest --apply` (pins only the best
#   proposal scoring {min_score} or more).
# candidate_themes: groups of unsorted papers that resemble each other at
#   least {ratio}x as much as two papers of the library do on average (mean
#   cosine {baseline}), with two-word phrases several of them write. None is
#   offered when no group is that coherent. Each entry can be pasted under
#   `themes:` in content/themes.yml; then write its intro and check its rules.
"""


def to_data(suggestions: Suggestions) -> CommentedMap:
    """The suggestions as YAML-ready data, in a fixed order."""
    data = CommentedMap()
    unsorted = CommentedSeq()
    for item in suggestions.unsorted:
        entry = CommentedMap()
        entry["key"] = item.key
        entry["title"] = item.title
        proposals = CommentedSeq()
        for proposal in item.proposals:
            p = CommentedMap()
            p["theme"] = proposal.theme
            p["score"] = proposal.score
            p["cosine"] = proposal.cosine
            p["because"] = CommentedSeq(proposal.reasons)
            p["because"].fa.set_flow_style()
            if proposal.rules:
                p["rules"] = proposal.rules
            p.fa.set_flow_style()
            proposals.append(p)
        entry["proposals"] = proposals
        unsorted.append(entry)
    data["unsorted"] = unsorted
    candidates = CommentedSeq()
    for n, candidate in enumerate(suggestions.candidates):
        entry = CommentedMap()
        entry["id"] = candidate.id
        entry["title"] = candidate.title
        entry["intro"] = "TODO: a few sentences for a reader new to the area."
        match = CommentedSeq(candidate.phrases)
        match.fa.set_flow_style()
        entry["match"] = match
        entry["papers"] = CommentedSeq(candidate.members)
        candidates.append(entry)
        candidates.yaml_set_comment_before_after_key(
            n, before=f"{len(candidate.members)} papers, {candidate.coherence}x the library's mean similarity", indent=2
        )
    data["candidate_themes"] = candidates
    leftover = CommentedSeq(suggestions.leftover)
    data["leftover"] = leftover
    data.yaml_set_comment_before_after_key("leftover", before="unsorted papers in no candidate theme", indent=0)
    return data


def render_yaml(suggestions: Suggestions, min_score: float = DEFAULT_MIN_SCORE) -> str:
    from generator.curation.candidates import COHERENCE_RATIO

    calibration = suggestions.calibration
    header = HEADER.format(
        unsorted=len(suggestions.unsorted), total=suggestions.library_size, positives=calibration.positives,
        negatives=calibration.negatives, min_score=min_score, ratio=COHERENCE_RATIO, baseline=suggestions.baseline,
    )
    return header + dump_yaml(to_data(suggestions))


# --------------------------------------------------------------------------- --apply


def apply_pins(papers: list[Paper] | tuple[Paper, ...], suggestions: Suggestions, min_score: float) -> tuple[dict[Path, str], list[tuple[str, Proposal]]]:
    """New record texts for the pins to write, and (key, proposal) per paper pinned."""
    by_key = {p.key: p for p in papers}
    files: dict[Path, str] = {}
    done: list[tuple[str, Proposal]] = []
    for item in suggestions.unsorted:
        if not item.proposals or item.proposals[0].score < min_score:
            continue
        paper = by_key[item.key]
        if paper.path is None:
            continue
        best = item.proposals[0]
        new_text = pin_record(paper.path.read_text("utf-8"), str(paper.path), best.theme)
        if new_text is None:
            continue
        if b"\r\n" in paper.path.read_bytes():  # read with universal newlines: give the record its CRLF back
            new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")
        files[paper.path] = new_text
        done.append((item.key, best))
    return files, done


@dataclass(frozen=True)
class SuggestReport:
    """What `suggest` found, and what `--apply` pinned (or the problems that stopped it)."""

    problems: tuple[Problem, ...] = ()
    suggestions: Suggestions | None = None
    yaml: str = ""  # the proposals, as YAML a curator can paste
    pinned: tuple[str, ...] = ()  # a line per paper pinned
    pins: tuple[tuple[str, str], ...] = ()  # (paper key, theme) per pin written

    def summary(self, apply: bool, min_score: float) -> str:
        result = self.suggestions
        assert result is not None
        text = f"suggest: {len(result.unsorted)} unsorted of {result.library_size} papers; {len(result.candidates)} candidate theme(s)"
        if apply:
            text += f"; pinned {len(self.pinned)} paper(s)"
            skipped = len(result.unsorted) - len(self.pinned)
            if skipped:
                text += f", skipped {skipped} scoring below --min-score {min_score} or without a proposal"
        return text


def suggest_library(content_dir: Path, *, top: int = 3, apply: bool = False, min_score: float = DEFAULT_MIN_SCORE) -> SuggestReport:
    """Propose themes for the unsorted papers of `content_dir`; with `apply`, pin the confident ones."""
    from generator.analysis.themes import assign_themes
    from generator.build import load_content
    from generator.writer import write_all_or_nothing

    content, problems = load_content(content_dir)
    if problems:
        return SuggestReport(problems=tuple(problems))
    assignments = assign_themes(content.papers, content.themes)
    result = suggest(content.papers, content.themes, assignments, top=max(1, top))
    done: list[tuple[str, Proposal]] = []
    if apply:
        files, done = apply_pins(content.papers, result, min_score)
        write_all_or_nothing(files)
    lines = tuple(f"{key}: themes += {p.theme} (score {p.score}, because {', '.join(p.reasons) or 'no shared term'})" for key, p in done)
    return SuggestReport(
        suggestions=result, yaml=render_yaml(result, min_score), pinned=lines, pins=tuple((key, p.theme) for key, p in done)
    )
