"""The matching engine (engine.py): what it finds, shared phrase ids, and quoting text as written."""

from __future__ import annotations

from generator.analysis.themes import Pattern, Rules
from generator.analysis.themes.engine import Engine, engine_for, hit_text


def test_equal_phrases_of_different_themes_are_indexed_once():
    rules = (
        Rules(match=(Pattern("Agent"),)),
        Rules(hints=(Pattern("agent"), Pattern("tool use"))),
        Rules(match=(Pattern("MoE", case_sensitive=True),), unless=(Pattern("moe"),)),
    )
    engine = Engine(rules)
    # "Agent" and "agent" are one phrase; case-sensitive "MoE" is not the same as "moe"
    assert sorted(engine.ids) == [("MoE", True, False), ("agent", False, False), ("moe", False, False), ("tool use", False, False)]
    assert {(r.rule, r.kind) for r in engine.roles[engine.ids[("agent", False, False)]]} == {(0, "match"), (1, "hints")}


def test_verdicts_say_what_placed_the_paper():
    rules = (
        Rules(match=(Pattern("agent", specific=True),)),
        Rules(hints=(Pattern("tool use"), Pattern("planning"), Pattern("memory")), min_hints=2),
        Rules(match=(Pattern("agent", specific=True),), unless=(Pattern("survey"),)),
        Rules(match_title=(Pattern("planning", specific=True),)),
    )
    verdicts = Engine(rules).evaluate("Planning with Tool-Use", "An agent that plans, a survey, and memory.")
    kind, (found,) = verdicts[0]
    assert kind == "match" and found[0] == "abstract" and hit_text(found) == "agent"
    kind, found = verdicts[1]
    assert kind == "hints"
    assert [(f[0], hit_text(f)) for f in found] == [("title", "Planning"), ("title", "Tool-Use")]  # stops at min_hints
    assert verdicts[2] is None  # kept out by `unless`
    kind, (found,) = verdicts[3]
    assert kind == "match" and found[0] == "title"
    assert Engine(rules).evaluate("Nothing here", "Nor here.") == [None, None, None, None]


def test_a_title_hit_wins_over_an_earlier_abstract_hit():
    (verdict,) = Engine((Rules(match=(Pattern("fine-tuning"),)),)).evaluate("Instruction FineTuning", "fine tuning")
    _kind, (found,) = verdict
    assert found[0] == "title" and hit_text(found) == "FineTuning"


def test_exclusion_names_the_first_unless_hit():
    engine = Engine((Rules(match=(Pattern("agent"),), unless=(Pattern("survey"), Pattern("review*"))),))
    (found,) = engine.exclusion("An agent", "We review agents; this is no survey.")
    assert found[0] == "abstract" and hit_text(found) == "review"
    assert engine.exclusion("An agent", "Agents.") == [None]


def test_case_sensitive_phrases_are_confirmed_on_the_original_text():
    engine = Engine((Rules(match=(Pattern("MoE", case_sensitive=True),)),))
    assert engine.evaluate("", "the moe lake") == [None]
    ((_kind, (found,)),) = engine.evaluate("", "a sparse MoE layer")
    assert hit_text(found) == "MoE"


def test_equal_rules_share_one_compiled_engine():
    one = (Rules(match=(Pattern("agent"),)),)
    same = (Rules(match=(Pattern("agent"),)),)
    assert engine_for(one) is engine_for(same)
    assert engine_for(one) is not engine_for((Rules(match=(Pattern("agents"),)),))


def _placed(rules: Rules, title: str, abstract: str = "") -> bool:
    return Engine((rules,)).evaluate(title, abstract)[0] is not None


def test_a_title_word_that_is_also_a_hint_still_counts_for_another_title_word():
    """Both words of "Probing-Based Explainability" are broad title words and hints of
    their own concepts: each is the other's second hint (a phrase's roles used to cover one another)."""
    rules = Rules(
        match_title=(Pattern("probing"), Pattern("explainab*")),
        hints=(Pattern("probing", concept=1), Pattern("probe*", concept=1), Pattern("explainab*", concept=2)),
        min_hints=3,
    )
    assert _placed(rules, "Toward Probing-Based Explainability")
    assert not _placed(rules, "Toward Probing Large Models")


def test_a_broad_title_word_needs_a_hint_of_another_concept():
    """"Benchmarking" in the title and "benchmarks" in the abstract are one idea, said twice."""
    rules = Rules(match_title=(Pattern("benchmark*"),), hints=(Pattern("benchmark*"), Pattern("leaderboard*")), min_hints=3)
    assert not _placed(rules, "Benchmarking Models for Data Extraction", "We release two benchmarks.")
    assert _placed(rules, "Benchmarking Models for Data Extraction", "A public leaderboard ranks them.")


def test_the_verdict_does_not_depend_on_the_order_of_the_rules_phrases():
    """Synonyms of one concept in the hints, listed either way round, give the same verdict."""
    title, abstract = "Reasoning About Tables", "Logical rules are checked."
    a = Rules(match_title=(Pattern("reason*"),), hints=(Pattern("reasoning", concept=1), Pattern("logic*", concept=1)))
    b = Rules(match_title=(Pattern("reason*"),), hints=(Pattern("logic*", concept=1), Pattern("reasoning", concept=1)))
    assert _placed(a, title, abstract) is _placed(b, title, abstract) is False
