# SPDX-License-Identifier: MIT
"""The example CI files of contrib/ci/ (GitHub Actions, GitLab CI), read with Debian's
python3-yaml: the keys each CI system requires (GitHub: `on`, `jobs`, each job's
`runs-on` and `steps`, each step's `run` or `uses`; GitLab: each job's `script`, a known
stage, `extends` and rules that resolve), shell that parses (bash -n), every scripts/
tool they call existing with every option they pass, and what they are for: the gate runs
scripts/ci-perf and publishes its Markdown summary, results are kept apart by machine
fingerprint. The history steps then run for real on the fixtures: the commands that follow
the sweep, as each file writes them, must produce the report, the BMF export and the
change points."""
import json
import os
import re
import shutil
import subprocess

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import perftest
from perftest import SCRIPTS, SRC, TOOLS, TmpCase

try:
    import yaml
except ImportError:
    perftest.skip_whole_test("python3-yaml is not installed (scripts/setup installs it)")

CI = os.path.join(SRC, "contrib", "ci")
GITHUB = os.path.join(CI, "github-perf.yml")
GITLAB = os.path.join(CI, "gitlab-perf.yml")

# GitLab's top-level keywords (not jobs) and the default stages.
GITLAB_GLOBAL = {"default", "include", "stages", "variables", "workflow", "image", "services",
                 "cache", "before_script", "after_script"}
GITLAB_STAGES = [".pre", "build", "test", "deploy", ".post"]
GITLAB_JOB_KEYS = {"extends", "image", "stage", "variables", "before_script", "script",
                   "after_script", "rules", "artifacts", "cache", "timeout", "tags",
                   "allow_failure", "needs", "services", "when", "retry", "interruptible",
                   "parallel", "environment", "dependencies", "coverage", "resource_group"}
GITLAB_RULE_KEYS = {"if", "changes", "exists", "when", "allow_failure", "variables"}
GITHUB_STEP_KEYS = {"name", "id", "if", "uses", "run", "with", "env", "shell",
                    "working-directory", "continue-on-error", "timeout-minutes"}
GITHUB_JOB_KEYS = {"name", "if", "needs", "runs-on", "container", "services", "steps",
                   "strategy", "timeout-minutes", "permissions", "env", "defaults",
                   "outputs", "concurrency", "environment", "continue-on-error", "uses",
                   "with", "secrets"}


def load(path):
    with open(path) as f:
        text = f.read()
    return text, yaml.safe_load(text)


def without_expressions(script):
    """A run script with GitHub's ${{ ... }} replaced by a word, for the shell to parse."""
    return re.sub(r"\$\{\{.*?\}\}", "EXPR", script)


def bash_n(test, script, where):
    r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    test.assertEqual(r.returncode, 0, f"{where}: {r.stderr}\n{script}")


def tool_calls(script):
    """[(tool, [--options])] of every scripts/TOOL the script calls, in a command
    substitution $(...) too (whose options are its own command's)."""
    subst = r"\$\(([^()]*)\)"
    pieces = [re.sub(subst, "SUBST", script), *re.findall(subst, script)]
    out = []
    for piece in pieces:
        for m in re.finditer(r"(?<![\w/.-])scripts/([\w-]+)([^\n|;&>]*)", piece):
            out.append((m.group(1), re.findall(r"(?<!\S)(--?[A-Za-z][\w-]*)", m.group(2))))
    return out


class CiFiles(TmpCase):
    helps = {}

    def check_tools(self, script, where):
        for tool, opts in tool_calls(script):
            path = os.path.join(SCRIPTS, tool)
            self.assertTrue(os.access(path, os.X_OK), f"{where}: no scripts/{tool}")
            if tool not in (*TOOLS, "ci-perf"):
                continue            # setup and the like: nothing to ask
            if tool not in self.helps:
                r = perftest.run(tool, "--help")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.helps[tool] = r.stdout
            for o in opts:
                self.assertRegex(self.helps[tool], rf"(?<![\w-]){re.escape(o)}(?![\w-])",
                                 f"{where}: scripts/{tool} has no option {o}")

    def test_github_actions(self):
        text, doc = load(GITHUB)
        self.assertTrue(text.startswith("# SPDX-License-Identifier: MIT\n"))
        # YAML 1.1 reads the key `on` as true: GitHub reads it as `on`.
        on = doc.get("on", doc.get(True))
        self.assertIsInstance(on, dict)
        self.assertIn("pull_request", on)
        self.assertIn("push", on)
        jobs = doc["jobs"]
        self.assertTrue(jobs)
        shell = doc.get("defaults", {}).get("run", {}).get("shell")
        self.assertEqual(shell, "bash")
        for name, job in jobs.items():
            self.assertRegex(name, r"^[A-Za-z_][\w-]*$")
            self.assertLessEqual(set(job), GITHUB_JOB_KEYS, name)
            self.assertIn("runs-on", job, name)
            for need in ([job["needs"]] if isinstance(job.get("needs"), str)
                         else job.get("needs", [])):
                self.assertIn(need, jobs)
            steps = job["steps"]
            self.assertTrue(steps, name)
            ids = [s["id"] for s in steps if "id" in s]
            self.assertEqual(len(ids), len(set(ids)), name)
            for k, step in enumerate(steps):
                where = f"{name} step {k + 1} ({step.get('name', step.get('uses'))})"
                self.assertLessEqual(set(step), GITHUB_STEP_KEYS, where)
                self.assertEqual(("run" in step) + ("uses" in step), 1, where)
                if "uses" in step:
                    self.assertRegex(step["uses"], r"^[\w-]+/[\w-]+(/[\w./-]+)?@v\d+$", where)
                else:
                    self.assertNotIn("with", step, where)
                    script = without_expressions(step["run"])
                    bash_n(self, script, where)
                    self.check_tools(script, where)
                # Every step output used is one an earlier step with that id sets.
                for sid, key in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)",
                                           json.dumps(step)):
                    earlier = [s for s in steps[:k] if s.get("id") == sid]
                    self.assertTrue(earlier, f"{where}: no earlier step {sid}")
                    self.assertIn(f"{key}=", earlier[0].get("run", ""), where)
        gate, history = jobs["gate"], jobs["history"]
        runs = "\n".join(s.get("run", "") for s in gate["steps"])
        self.assertIn("scripts/ci-perf", runs)
        self.assertIn("github.event.pull_request.base.sha", json.dumps(gate))
        self.assertRegex(runs, r'summary\.md"? >> "\$GITHUB_STEP_SUMMARY"')
        comment = [s for s in gate["steps"] if s.get("uses", "").startswith(
            "actions/github-script@")]
        self.assertEqual(len(comment), 1)
        self.assertIn("summary.md", comment[0]["with"]["script"])
        self.assertIn("pull-requests", gate["permissions"])
        # Apart by machine: the gate's artifact and the history's cache are named by the
        # fingerprint, and the cache holds that machine's results/<fingerprint>/ only.
        upload = [s for s in gate["steps"] if s.get("uses", "").startswith(
            "actions/upload-artifact@")]
        self.assertIn("steps.summary.outputs.fingerprint", upload[0]["with"]["name"])
        self.assertIn('"$out/fingerprint"', runs)
        caches = [s for s in history["steps"] if s.get("uses", "").startswith("actions/cache")]
        self.assertEqual(len(caches), 2)
        for c in caches:
            self.assertEqual(c["with"]["path"], "results/${{ steps.build.outputs.fingerprint }}")
            self.assertTrue(c["with"]["key"].startswith(
                "perf-history-${{ steps.build.outputs.fingerprint }}-"))
        hist = "\n".join(s.get("run", "") for s in history["steps"])
        self.assertIn("scripts/sweep --fingerprint", hist)
        self.assertIn("scripts/sweep quick", hist)

    def gitlab_jobs(self, doc):
        """{name: job with its extends resolved} of the visible jobs."""
        def resolve(name, seen=()):
            job = doc[name]
            self.assertNotIn(name, seen, "extends loop")
            base = {}
            for parent in ([job["extends"]] if isinstance(job.get("extends"), str)
                           else job.get("extends", [])):
                self.assertIn(parent, doc, f"{name} extends {parent}")
                base.update(resolve(parent, (*seen, name)))
            return {**base, **{k: v for k, v in job.items() if k != "extends"}}
        return {n: resolve(n) for n in doc if n not in GITLAB_GLOBAL and not n.startswith(".")}

    def test_gitlab_ci(self):
        text, doc = load(GITLAB)
        self.assertTrue(text.startswith("# SPDX-License-Identifier: MIT\n"))
        stages = doc.get("stages", GITLAB_STAGES)
        jobs = self.gitlab_jobs(doc)
        self.assertEqual(set(jobs), {"perf-gate", "perf-history"})
        for name, job in jobs.items():
            self.assertLessEqual(set(job), GITLAB_JOB_KEYS, name)
            self.assertIn("script", job, name)
            self.assertIn(job.get("stage", "test"), stages, name)
            for key in ("before_script", "script", "after_script"):
                lines = job.get(key, [])
                self.assertIsInstance(lines, list, (name, key))
                for ln in lines:
                    self.assertIsInstance(ln, str, (name, key))
            for rule in job.get("rules", []):
                self.assertLessEqual(set(rule), GITLAB_RULE_KEYS, name)
            codes = job.get("allow_failure", False)
            if isinstance(codes, dict):
                self.assertTrue(all(isinstance(c, int) for c in codes["exit_codes"]))
            art = job.get("artifacts", {})
            self.assertTrue(art.get("paths"), name)
            if "expose_as" in art:      # GitLab: directories need their trailing /
                for p in art["paths"]:
                    self.assertNotIn("*", p)
                    self.assertTrue(p.endswith("/") or "." in os.path.basename(p), p)
            # One shell runs before_script and script; after_script another.
            script = "\n".join(job.get("before_script", []) + job["script"])
            bash_n(self, script, name)
            self.check_tools(script, name)
            after = "\n".join(job.get("after_script", []))
            bash_n(self, after, name)
        gate, history = jobs["perf-gate"], jobs["perf-history"]
        self.assertIn("scripts/ci-perf", "\n".join(gate["script"]))
        self.assertIn("CI_MERGE_REQUEST_DIFF_BASE_SHA", "\n".join(gate["script"]))
        self.assertIn("merge_request_event", gate["rules"][0]["if"])
        self.assertIn("build-ab/ci-perf/", gate["artifacts"]["paths"])
        self.assertIn("summary.md", "\n".join(gate["after_script"]))
        self.assertIn("$CI_RUNNER_ID", history["cache"]["key"])
        self.assertEqual(history["cache"]["paths"], ["results/"])
        self.assertEqual(history["allow_failure"], {"exit_codes": [1]})
        self.assertIn("scripts/sweep --fingerprint", "\n".join(history["script"]))

    def history_dir(self):
        """A working directory as a CI job sees it after the sweep: scripts/, and a
        machine's history of the fixtures under results/<fingerprint>/."""
        work = self.path("work")
        os.makedirs(work)
        os.symlink(SCRIPTS, os.path.join(work, "scripts"))
        ctx = perftest.fixture("sweep-quick-1.json.gz")["context"]
        fp = ctx["machine_fingerprint"]
        d = os.path.join(work, "results", fp)
        os.makedirs(d)
        names = [f for f in perftest.fixtures("") if f.endswith(".json.gz")]
        self.assertGreaterEqual(len(names), 6)
        for i, name in enumerate(names):
            doc = perftest.fixture(name)
            doc["context"]["date"] = f"2026-01-{i + 1:02d}T00:00:00+00:00"
            doc["context"].pop("started", None)
            doc["context"].pop("ab_run_id", None)
            perftest.write(doc, os.path.join(d, f"r{i:02d}-quick-{i:02d}.json"))
        return work, fp

    def check_history_outputs(self, out, fp):
        with open(os.path.join(out, "report", "index.html")) as f:
            self.assertIn("changes-", f.read())
        with open(os.path.join(out, "bmf.json")) as f:
            bmf = json.load(f)
        self.assertIn("tree/lookup/rcu/n:100", bmf)
        with open(os.path.join(out, "changes.json")) as f:
            self.assertEqual(len(json.load(f)["runs"]), 11)

    def test_history_steps_run(self):
        perftest.need("gnuplot", "gnuplot-nox")
        # GitLab: the script's lines after the sweep, in one shell, with fp set.
        _, doc = load(GITLAB)
        lines = self.gitlab_jobs(doc)["perf-history"]["script"]
        after = lines[[i for i, ln in enumerate(lines) if ln.startswith(
            "scripts/sweep quick")][0] + 1:]
        work, fp = self.history_dir()
        r = subprocess.run(["bash", "-e", "-c", "\n".join([f"fp={fp}", *after])], cwd=work,
                           capture_output=True, text=True, timeout=600)
        self.assertIn(r.returncode, (0, 1), r.stdout + r.stderr)   # 1: a change (warning)
        self.check_history_outputs(os.path.join(work, "build", "perf-history"), fp)
        # GitHub: the step after the cache is saved, with its environment.
        _, doc = load(GITHUB)
        step = next(s for s in doc["jobs"]["history"]["steps"]
                    if "scripts/changepoints" in s.get("run", ""))
        shutil.rmtree(os.path.join(work, "build"))
        summary = self.path("step-summary.md")
        env = dict(os.environ, FINGERPRINT=fp, GITHUB_STEP_SUMMARY=summary)
        r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=work,
                           env=env, capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.check_history_outputs(os.path.join(work, "build", "perf-history"), fp)
        with open(summary) as f:
            s = f.read()
        self.assertIn(f"### Performance history of {fp}", s)
        self.assertIn("11 runs of the quick suite", s)


if __name__ == "__main__":
    perftest.main()
