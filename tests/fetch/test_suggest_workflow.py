"""The "Suggest a paper" issue form and workflow: lint-clean, and its add step
run for real on a hostile issue body (nothing in it reaches a shell as code)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "suggest-paper.yml"
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
HOSTILE_BODY = """### Links or identifiers

https://arxiv.org/abs/1706.03762
hf.co/papers/2403.03507
[<img src=x onerror=alert(1)>](https://arxiv.org/abs/2401.99999)
$(touch PWNED-1) `touch PWNED-2` "; touch PWNED-3; echo " '; touch PWNED-4; '
${{ github.token }} %0Aecho ::set-output name=status::0 \\"$(touch PWNED-5)\\"

### Why it belongs here (optional)

<script>alert(document.cookie)</script> ```
"""


def load(path: Path):
    return YAML(typ="safe").load(path.read_text("utf-8"))


def steps() -> list[dict]:
    return load(WORKFLOW)["jobs"]["add"]["steps"]


def test_no_untrusted_expression_reaches_a_script():
    text = WORKFLOW.read_text("utf-8")
    for step in steps():
        script = step.get("run", "")
        for name in ("issue.body", "issue.title", "comment.body", "label.name", "head_ref"):
            assert name not in script, (step.get("name"), name)
    assert text.count("${{ github.event.issue.body }}") == 1  # only into an env variable
    workflow = load(WORKFLOW)
    assert workflow["permissions"] == {}
    assert set(workflow["jobs"]["add"]["permissions"]) == {"contents", "pull-requests", "issues"}
    assert "add-paper" in workflow["jobs"]["add"]["if"]


def test_the_issue_form_asks_for_identifiers():
    form = load(FORM)
    ids = [item.get("id") for item in form["body"]]
    assert "refs" in ids and "notes" in ids
    refs = next(item for item in form["body"] if item.get("id") == "refs")
    assert refs["validations"]["required"] is True


def test_zizmor_reports_nothing():
    exe = Path(sys.executable).parent / "zizmor"
    if not exe.exists():
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    run = subprocess.run([str(exe), "--offline", "--persona=auditor", "--format=json", str(WORKFLOW)],
                         capture_output=True, text=True, timeout=120)
    findings = json.loads(run.stdout or "[]")
    assert [(f["ident"], f["determinations"]["severity"]) for f in findings] == []


def run_step(step: dict, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    # GitHub evaluates a step's `env:` expressions; here `env` holds their values.
    expressions = {k: str(v) for k, v in (step.get("env") or {}).items()}
    assert all(k in env for k in expressions), sorted(set(expressions) - set(env))
    merged = {**expressions, **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, env=merged, capture_output=True, text=True, timeout=300)


@pytest.fixture
def api():
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "api"))
    import apiserver

    yield from apiserver.serve()


def test_the_add_step_on_a_hostile_issue_body(tmp_path, api):
    repo = tmp_path / "repo"
    (repo / "content" / "papers").mkdir(parents=True)
    (repo / "content" / "papers" / ".keep").write_text("")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "library"], cwd=repo, check=True)
    # `python` on PATH is this interpreter; imports are pointed at the local servers.
    shim = tmp_path / "bin"
    shim.mkdir()
    apis = " ".join(api.cli_args())
    (shim / "python").write_text(
        f'#!/bin/sh\nif [ "$3" = import ]; then exec "{sys.executable}" "$@" {apis}; fi\nexec "{sys.executable}" "$@"\n'
    )
    (shim / "python").chmod(0o755)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    output = tmp_path / "github-output"
    output.write_text("")
    env = {"PATH": f"{shim}:{os.environ['PATH']}", "HOME": str(tmp_path), "RUNNER_TEMP": str(runner_temp),
           "GITHUB_OUTPUT": str(output), "ISSUE_NUMBER": "7", "ISSUE_BODY": HOSTILE_BODY,
           "PYTHONPATH": str(ROOT)}
    by_name = {s.get("id") or s.get("name"): s for s in steps()}
    keep = run_step(by_name["Keep the issue body as a file"], repo, env)
    assert keep.returncode == 0, keep.stderr
    assert (runner_temp / "issue-7.md").read_text() == HOSTILE_BODY + "\n"
    add = run_step(by_name["add"], repo, env)
    assert add.returncode == 0, add.stderr
    assert not list(tmp_path.rglob("PWNED-*")) and not list(Path.cwd().glob("PWNED-*"))
    assert output.read_text().splitlines() == ["status=0", "changed=true"]
    log = (runner_temp / "add.log").read_text()
    assert "3 paper identifier(s) found" in log and "added 3" in log
    papers = {p.name: p.read_text() for p in (repo / "content" / "papers").glob("*.yml")}
    assert set(papers) == {"attention-all-you-need.yml", "galore.yml", "img-src-x-onerror.yml"}
    stub = papers["img-src-x-onerror.yml"]
    assert "title: <img src=x onerror=alert(1)>" in stub and "stub: true" in stub
    assert not (repo / "content" / "sources" / "issue-7.md").exists()  # the body is not committed
    assert "check: content is valid" in (runner_temp / "check.log").read_text()

    # The comment: the log as text in a fence it cannot close, posted with `gh`.
    (shim / "gh").write_text('#!/bin/sh\nfor a; do if [ "$prev" = --body-file ]; then cp "$a" "$RUNNER_TEMP/posted.md"; fi; prev="$a"; done\n')
    (shim / "gh").chmod(0o755)
    env.update({"GH_TOKEN": "x", "STATUS": "0", "CHANGED": "true", "BRANCH": "suggest/issue-7", "GITHUB_REPOSITORY": "lab/list"})
    comment = run_step(by_name["Comment on the issue"], repo, env)
    assert comment.returncode == 0, comment.stderr
    posted = (runner_temp / "posted.md").read_text()
    assert posted.startswith("A pull request with the new records is open")
    body = posted.split("````text\n", 1)[1].rsplit("````", 1)[0]
    assert "`" not in body and "added 3" in body
    shutil.rmtree(runner_temp)
