"""Theme templates compiled once per process (generator/mkdocs_integration/compiled_templates.py)."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader

from generator.mkdocs_integration.compiled_templates import ProcessBytecodeCache


def _render(folder, cache, compiled: list) -> str:
    env = Environment(loader=FileSystemLoader(str(folder)), bytecode_cache=cache)
    compile_source = env.compile
    env.compile = lambda *args, **kwargs: compiled.append(args[1] if len(args) > 1 else "?") or compile_source(*args, **kwargs)
    return env.get_template("page.html").render(title="GaLore")


def test_a_new_environment_reuses_the_compiled_template_until_its_source_changes(tmp_path):
    template = tmp_path / "page.html"
    template.write_text("<h1>{{ title }}</h1>", "utf-8")
    cache, compiled = ProcessBytecodeCache(), []
    assert _render(tmp_path, cache, compiled) == "<h1>GaLore</h1>"
    assert _render(tmp_path, cache, compiled) == "<h1>GaLore</h1>"  # a second build's environment
    assert len(compiled) == 1
    template.write_text("<h2>{{ title }}</h2>", "utf-8")  # a curator edits overrides/
    assert _render(tmp_path, cache, compiled) == "<h2>GaLore</h2>"
    assert len(compiled) == 2
