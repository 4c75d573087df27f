# SPDX-License-Identifier: MIT
"""The example CI files of contrib/ci/ (GitHub Actions, GitLab CI), read with Debian's
python3-yaml: the keys each CI system requires (GitHub: `on`, `jobs`, each job's
`runs-on` and `steps`, each step's `run` or `uses`; GitLab: each job's `script`, a known
stage, `extends` and rules that resolve), shell that parses (bash -n), every scripts/
tool they call existing with every option they pass, and what they are for: the gate runs
scripts/ci-perf and publishes its Markdown summary, results are kept apart by machine
fingerprint. The history steps then run for real on the fixtures: the commands that follow
the sweep, as each file writes them, must produce the report, the BMF export and the
change points. The GitLab gate's after_script runs against a fake GitLab notes API: it posts
the summary as one note per machine, and updates that note on the next push."""
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.parse

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


class FakeGitLab(http.server.ThreadingHTTPServer):
    """GitLab's merge request notes API, as much of it as contrib/ci/gitlab-mr-note uses:
    GET a page of notes (at most PAGE a page, as a real server caps per_page, with
    X-Next-Page), POST a note, PUT a note's body; every request needs the token. Every
    request is logged as (method, path)."""
    PAGE = 2
    TOKEN = "glpat-test"
    NOTES = "/api/v4/projects/7/merge_requests/3/notes"

    def __init__(self, notes):
        super().__init__(("127.0.0.1", 0), FakeGitLabHandler)
        self.notes = [dict(n) for n in notes]
        self.log = []
        self.lock = threading.Lock()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/api/v4"


class FakeGitLabHandler(http.server.BaseHTTPRequestHandler):
    server: FakeGitLab

    def log_message(self, *args):
        pass

    def answer(self, code, doc, headers=()):
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        srv = self.server
        url = urllib.parse.urlsplit(self.path)
        with srv.lock:
            srv.log.append((self.command, url.path))
            if self.headers.get("PRIVATE-TOKEN") != srv.TOKEN:
                return self.answer(401, {"message": "401 Unauthorized"})
            form = {}
            if self.command in ("POST", "PUT"):
                n = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
            if url.path == srv.NOTES and self.command == "GET":
                q = dict(urllib.parse.parse_qsl(url.query))
                page = int(q.get("page", "1"))
                size = min(int(q.get("per_page", "20")), srv.PAGE)
                chunk = srv.notes[(page - 1) * size:page * size]
                more = page * size < len(srv.notes)
                return self.answer(200, chunk, [("X-Next-Page", str(page + 1) if more else "")])
            if url.path == srv.NOTES and self.command == "POST":
                note = {"id": 100 + len(srv.notes), "body": form["body"]}
                srv.notes.append(note)
                return self.answer(201, note)
            m = re.fullmatch(re.escape(srv.NOTES) + r"/(\d+)", url.path)
            if m and self.command == "PUT":
                note = next((n for n in srv.notes if n["id"] == int(m.group(1))), None)
                if note is None:
                    return self.answer(404, {"message": "404 Not found"})
                note["body"] = form["body"]
                return self.answer(200, note)
            return self.answer(404, {"message": "404 Not found"})

    do_GET = do_POST = do_PUT = handle_any


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
        # A newer push cancels a pull request's gate, never a sweep of main halfway.
        cancel = doc["concurrency"]["cancel-in-progress"]
        self.assertNotEqual(cancel, True)
        if cancel is not False:
            self.assertEqual(cancel, "${{ github.event_name == 'pull_request' }}")
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
        self.assertIn("contrib/ci/gitlab-mr-note", "\n".join(gate["after_script"]))
        # Two pushes' history jobs one after the other: neither saves a cache without
        # the other's run.
        self.assertTrue(history.get("resource_group"))
        self.assertIn("$CI_RUNNER_ID", history["cache"]["key"])
        self.assertEqual(history["cache"]["paths"], ["results/"])
        self.assertEqual(history["allow_failure"], {"exit_codes": [1]})
        self.assertIn("scripts/sweep --fingerprint", "\n".join(history["script"]))

    def test_gitlab_note_posted_then_updated(self):
        """The gate's after_script, as the file writes it: one note per machine, posted
        on the first push and updated (found on a later page) on the next."""
        _, doc = load(GITLAB)
        after = "\n".join(self.gitlab_jobs(doc)["perf-gate"]["after_script"])
        work = self.path("mr")
        out = os.path.join(work, "build-ab", "ci-perf")
        os.makedirs(out)
        os.symlink(os.path.join(SRC, "contrib"), os.path.join(work, "contrib"))
        with open(os.path.join(out, "fingerprint"), "w") as f:
            f.write("x86_64-2c-0123456789\n")
        others = [{"id": 1, "body": "looks good"},
                  {"id": 2, "body": "<!-- iomembench perf: aarch64-8c-9876543210 -->\nother"},
                  {"id": 3, "body": "rebased"}]
        srv = FakeGitLab(others)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        env = dict(os.environ, CI_API_V4_URL=srv.url(), CI_PROJECT_ID="7",
                   CI_MERGE_REQUEST_IID="3", CI_RUNNER_ID="42", PERF_NOTE_TOKEN=srv.TOKEN)
        marker = "<!-- iomembench perf: x86_64-2c-0123456789 -->"

        def push(summary, **changes):
            with open(os.path.join(out, "summary.md"), "w") as f:
                f.write(summary)
            srv.log.clear()
            e = {k: v for k, v in dict(env, **changes).items() if v is not None}
            return subprocess.run(["bash", "-c", after], cwd=work, env=e,
                                  capture_output=True, text=True, timeout=120)

        r = push("### Performance: FAIL: 1 regression beyond 5%\n| `a&b` | +12% |\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual([m for m, _ in srv.log], ["GET", "GET", "POST"])   # two pages
        self.assertEqual(srv.notes[:3], others)
        self.assertEqual(srv.notes[3]["body"], marker + "\n### Performance: FAIL: 1 "
                         "regression beyond 5%\n| `a&b` | +12% |\n")
        r = push("### Performance: pass: no regression beyond 5%\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(srv.log[-1], ("PUT", f"{srv.NOTES}/103"))
        self.assertEqual(len(srv.notes), 4)
        self.assertEqual(srv.notes[:3], others)
        self.assertEqual(srv.notes[3]["body"],
                         marker + "\n### Performance: pass: no regression beyond 5%\n")
        # No token: nothing is asked. A token GitLab refuses: the step fails, saying so.
        r = push("x\n", PERF_NOTE_TOKEN=None)
        self.assertEqual((r.returncode, srv.log), (0, []), r.stderr)
        r = push("x\n", PERF_NOTE_TOKEN="wrong")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("HTTP 401", r.stderr)
        self.assertEqual(len(srv.notes), 4)
        # Usage errors: exit 2, no request.
        note = os.path.join(SRC, "contrib", "ci", "gitlab-mr-note")
        for args, e, msg in ((["m"], env, "usage"),
                             (["m", os.path.join(out, "summary.md")],
                              dict(env, CI_PROJECT_ID=""), "not set: CI_PROJECT_ID"),
                             (["m", os.path.join(out, "none.md")], env, "none.md")):
            srv.log.clear()
            r = subprocess.run([note, *args], env=e, capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(msg, r.stderr)
            self.assertEqual(srv.log, [])

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
