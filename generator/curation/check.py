"""What `python -m generator check` runs: every problem of a content folder, at once.

It reads everything the build reads (records, themes, pages, settings) and
validates it, but writes nothing, so a curator or CI can run it on any
content folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.model import Problem


@dataclass(frozen=True)
class CheckReport:
    content: Path
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()  # worth a look, but the content is usable (papers in too many themes)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"check: {len(self.problems)} problem(s)"
        return f"check: {self.content} is valid" + (f"; {len(self.warnings)} warning(s)" if self.warnings else "")


def check_content(content: Path) -> CheckReport:
    """Load the whole content folder as the build would and collect every problem."""
    from generator.analysis.themes import crowded_papers
    from generator.build import ContentError, generate, link_problems, load_content
    from generator.settings import read_mkdocs_settings

    loaded, problems = load_content(content)
    if not problems:  # what only the generated site shows: links in notes and intros
        site_root = Path(content).resolve().parent
        settings = read_mkdocs_settings(site_root / "mkdocs.yml")
        try:
            outputs = generate(loaded, settings)
        except ContentError as err:
            problems = list(err.problems)
        else:
            problems = link_problems(loaded, outputs, settings)
    warnings = crowded_papers(loaded.papers, loaded.themes, content / "themes.yml")
    return CheckReport(content, tuple(problems), tuple(warnings))
