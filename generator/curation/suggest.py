"""Suggest stage: help a curator sort the papers no theme rule places.

`python -m generator suggest` prints YAML a curator can paste:

- for every unsorted paper, the existing themes it resembles most, scored by
  cosine similarity between the paper's TF-IDF vector (title + abstract) and
  the centroid of each theme's current members;
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

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.library.edit import pin_record
from generator.library.yamlio import dump_yaml
from generator.model import Paper, Problem, ThemeAssignment

SCORE_DIGITS = 3
MAX_CLUSTERS = 12
MIN_CLUSTER_SIZE = 2
CLUSTER_DISTANCE = 0.9  # cosine distance at which agglomerative clustering stops merging
AGGLOMERATIVE_LIMIT = 3000
TERMS_PER_CLUSTER = 8
RANDOM_STATE = 0


@dataclass(frozen=True)
class Proposal:
    theme: str
    score: float  # cosine similarity to the theme's centroid, rounded


@dataclass(frozen=True)
class PaperSuggestion:
    key: str
    title: str
    proposals: tuple[Proposal, ...]  # best first


@dataclass(frozen=True)
class CandidateTheme:
    id: str
    title: str
    terms: tuple[str, ...]  # most distinctive first
    members: tuple[str, ...]  # paper keys, in key order


@dataclass(frozen=True)
class Suggestions:
    library_size: int
    unsorted: tuple[PaperSuggestion, ...]
    candidates: tuple[CandidateTheme, ...]
    leftover: tuple[str, ...]  # unsorted papers in no candidate theme


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
    try:
        matrix = vectorizer.fit_transform([paper_text(p) for p in papers])
    except ValueError:  # no usable words at all (empty vocabulary)
        return Suggestions(len(papers), tuple(PaperSuggestion(p.key, p.title, ()) for p in unsorted), (), tuple(p.key for p in unsorted))
    terms = np.asarray(vectorizer.get_feature_names_out())
    row = {p.key: i for i, p in enumerate(papers)}
    unsorted_rows = [row[p.key] for p in unsorted]

    # Existing themes: cosine to each theme's centroid (rows are L2-normalised).
    theme_ids = [t.id for t in themes]
    centroids = []
    usable = []
    for theme_id in theme_ids:
        members = sorted(row[key] for key, found in assignments.items() if key in row and any(a.theme == theme_id for a in found))
        if not members:
            continue
        centroid = np.asarray(matrix[members].mean(axis=0)).ravel()
        norm = np.linalg.norm(centroid)
        if norm == 0:
            continue
        centroids.append(centroid / norm)
        usable.append(theme_id)
    suggestions = []
    if centroids:
        scores = matrix[unsorted_rows] @ np.vstack(centroids).T  # (unsorted, themes)
        scores = np.asarray(scores)
    for n, paper in enumerate(unsorted):
        proposals: list[Proposal] = []
        if centroids:
            ranked = sorted(range(len(usable)), key=lambda j: (-round(float(scores[n, j]), SCORE_DIGITS), j))
            for j in ranked:
                score = round(float(scores[n, j]), SCORE_DIGITS)
                if score <= 0 or usable[j] in paper.not_themes:
                    continue
                proposals.append(Proposal(usable[j], score))
                if len(proposals) >= top:
                    break
        suggestions.append(PaperSuggestion(paper.key, paper.title, tuple(proposals)))

    candidates, leftover = _clusters(matrix[unsorted_rows], terms, [p.key for p in unsorted], set(theme_ids), max_clusters)
    return Suggestions(len(papers), tuple(suggestions), candidates, leftover)


def _cluster_labels(matrix, max_clusters: int) -> list[int]:
    """Cluster labels for the rows of an L2-normalised TF-IDF matrix (deterministic).

    Up to AGGLOMERATIVE_LIMIT papers: average-linkage agglomerative clustering
    on cosine distance, cut at CLUSTER_DISTANCE, so only papers that really
    resemble each other are grouped and no number of groups is forced. Beyond
    that (a quadratic distance matrix gets large): k-means with a fixed seed
    on one thread.
    """
    n = matrix.shape[0]
    if n < 2:
        return list(range(n))
    if n <= AGGLOMERATIVE_LIMIT:
        from sklearn.cluster import AgglomerativeClustering

        similarity = (matrix @ matrix.T).toarray()
        distance = np.clip(1.0 - similarity, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average", distance_threshold=CLUSTER_DISTANCE)
        return [int(x) for x in model.fit_predict(distance)]
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    k = max(2, min(max_clusters, round(math.sqrt(n / 2))))
    with threadpool_limits(limits=1):  # one thread: the same sums in the same order, every run
        return [int(x) for x in KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit_predict(matrix)]


def _clusters(matrix, terms, keys: list[str], taken: set[str], max_clusters: int) -> tuple[tuple[CandidateTheme, ...], tuple[str, ...]]:
    labels = _cluster_labels(matrix, max_clusters)
    overall = np.asarray(matrix.mean(axis=0)).ravel() if len(keys) else np.zeros(len(terms))
    found = []
    leftover: list[str] = []
    for label in sorted(set(labels)):
        idx = [i for i, x in enumerate(labels) if x == label]
        members = tuple(sorted(keys[i] for i in idx))
        if len(idx) < MIN_CLUSTER_SIZE:
            leftover.extend(members)
            continue
        mean = np.asarray(matrix[idx].mean(axis=0)).ravel()
        # distinctive: heavy in the cluster, shared by several members, rarer in the rest
        share = np.asarray((matrix[idx] > 0).mean(axis=0)).ravel()
        weight = mean * share * np.log((mean + 1e-9) / (overall + 1e-9))
        order = sorted((i for i in range(len(terms)) if weight[i] > 0 and share[i] >= 0.5), key=lambda i: (-round(float(weight[i]), 9), terms[i]))
        top_terms = _distinct_terms([str(terms[i]) for i in order], TERMS_PER_CLUSTER)
        if not top_terms:
            leftover.extend(members)
            continue
        found.append((members, tuple(top_terms)))
    found.sort(key=lambda item: (-len(item[0]), item[0]))
    found = found[:max_clusters]
    candidates = []
    used = set(taken)
    for members, top_terms in found:
        theme_id = _unique_id(_slug(" ".join(top_terms[:2])) or "new-theme", used)
        used.add(theme_id)
        title = " and ".join(t[:1].upper() + t[1:] for t in top_terms[:2])
        candidates.append(CandidateTheme(theme_id, title, top_terms, members))
    grouped = {k for c in candidates for k in c.members}
    return tuple(candidates), tuple(sorted(set(keys) - grouped))


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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _unique_id(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# --------------------------------------------------------------------------- output


HEADER = """\
# python -m generator suggest
# {unsorted} of {total} papers match no theme rule or pin.
#
# unsorted: each paper's closest existing themes; score = cosine similarity
#   (0 to 1) between the paper's TF-IDF vector and the centroid of the theme's
#   members. To accept one, add `themes: [<id>]` to the paper's record, widen
#   the theme's rules in content/themes.yml, or run `suggest --apply`.
# candidate_themes: groups of unsorted papers that resemble each other
#   (clustering on TF-IDF). Each entry can be pasted under `themes:` in
#   content/themes.yml; then write its intro and rules and drop the pins.
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
        match = CommentedSeq(candidate.terms[:3])
        match.fa.set_flow_style()
        entry["match_title"] = match
        entry["papers"] = CommentedSeq(candidate.members)
        candidates.append(entry)
        candidates.yaml_set_comment_before_after_key(
            n, before=f"{len(candidate.members)} papers; distinctive terms: {', '.join(candidate.terms)}", indent=2
        )
    data["candidate_themes"] = candidates
    leftover = CommentedSeq(suggestions.leftover)
    data["leftover"] = leftover
    data.yaml_set_comment_before_after_key("leftover", before="unsorted papers in no candidate theme", indent=0)
    return data


def render_yaml(suggestions: Suggestions) -> str:
    header = HEADER.format(unsorted=len(suggestions.unsorted), total=suggestions.library_size)
    return header + dump_yaml(to_data(suggestions))


# --------------------------------------------------------------------------- --apply


def apply_pins(papers: list[Paper] | tuple[Paper, ...], suggestions: Suggestions, min_score: float) -> tuple[dict[Path, str], list[str]]:
    """New record texts for the pins to write, and a line per paper pinned."""
    by_key = {p.key: p for p in papers}
    files: dict[Path, str] = {}
    done: list[str] = []
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
        done.append(f"{item.key}: themes += {best.theme} (score {best.score})")
    return files, done


@dataclass(frozen=True)
class SuggestReport:
    """What `suggest` found, and what `--apply` pinned (or the problems that stopped it)."""

    problems: tuple[Problem, ...] = ()
    suggestions: Suggestions | None = None
    yaml: str = ""  # the proposals, as YAML a curator can paste
    pinned: tuple[str, ...] = ()  # a line per paper pinned

    def summary(self, apply: bool, min_score: float) -> str:
        result = self.suggestions
        assert result is not None
        text = f"suggest: {len(result.unsorted)} unsorted of {result.library_size} papers; {len(result.candidates)} candidate theme(s)"
        if apply:
            text += f"; pinned {len(self.pinned)} paper(s)"
            skipped = len(result.unsorted) - len(self.pinned)
            if skipped:
                text += f", left {skipped} below --min-score {min_score} or without a proposal"
        return text


def suggest_library(content_dir: Path, *, top: int = 3, apply: bool = False, min_score: float = 0.0) -> SuggestReport:
    """Propose themes for the unsorted papers of `content_dir`; with `apply`, pin the best ones."""
    from generator.analysis.themes import assign_themes
    from generator.build import load_content
    from generator.writer import write_all_or_nothing

    content, problems = load_content(content_dir)
    if problems:
        return SuggestReport(problems=tuple(problems))
    assignments = assign_themes(content.papers, content.themes)
    result = suggest(content.papers, content.themes, assignments, top=max(1, top))
    done: list[str] = []
    if apply:
        files, done = apply_pins(content.papers, result, min_score)
        write_all_or_nothing(files)
    return SuggestReport(suggestions=result, yaml=render_yaml(result), pinned=tuple(done))
