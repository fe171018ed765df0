// The plan diff a reviewer reads on a pull request: what it reports between two crafted plans, how it
// keeps secrets out, its Markdown, and the command's git worktree handling and exit codes.
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { diffPlanDirs, diffPlans, hasChanges } from "../tools/diff/plan-diff";
import { renderMarkdown, renderText } from "../tools/diff/render";

const ROOT = path.resolve(__dirname, "..");
const RELEASE = "kubernetes:helm.sh/v3:Release";
const BUCKET = "gcp:storage/bucket:Bucket";
const SECRET = "kubernetes:core/v1:Secret";

type Files = Record<string, string>;
const planFiles = (resources: object[], extra: Files = {}): Map<string, string> =>
    new Map(Object.entries({ "resources.json": JSON.stringify(resources, null, 2), ...extra }));
const values = (v: object) => stringify(v, { sortMapEntries: true, lineWidth: 0 });

const release = (version: string, v: object) => ({
    type: RELEASE,
    name: "dev-gke-loki",
    parent: "dev-gke",
    provider: "dev-gke-k8s",
    inputs: { chart: "loki", name: "loki", namespace: "logging", version, values: v },
});
const bucket = (name: string, extra: object = {}) => ({
    type: BUCKET,
    name,
    parent: "object-storage",
    provider: null,
    inputs: { uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", ...extra },
});
const secret = (password: string) => ({
    type: SECRET,
    name: "dev-gke-grafana-admin",
    parent: "dev-gke",
    provider: "dev-gke-k8s",
    inputs: { metadata: { name: "grafana-admin" }, stringData: { "admin-password": password } },
});
const heading = { stack: "dev", base: "main (abc123)", head: "working tree" };

describe("plan diff between two plans", () => {
    const lokiValuesBase = { loki: { limits_config: { retention_period: "720h" } }, singleBinary: { replicas: 1 } };
    const lokiValuesHead = { loki: { limits_config: { retention_period: "168h" } }, singleBinary: { replicas: 1 } };
    const base = planFiles([bucket("loki-chunks"), bucket("tempo-traces"), release("6.40.0", lokiValuesBase)], {
        "values/dev-gke-loki.yaml": values(lokiValuesBase),
        "dashboards/old.json": JSON.stringify({ title: "Old" }, null, 2),
        "dashboards/slo.json": JSON.stringify({ title: "SLO", panels: [{ id: 1, title: "Burn rate" }] }),
    });
    const head = planFiles(
        [bucket("loki-chunks", { forceDestroy: false }), bucket("mimir-blocks"), release("6.41.0", lokiValuesHead)],
        {
            "values/dev-gke-loki.yaml": values(lokiValuesHead),
            "rules/slo.yaml": values({ groups: [{ name: "slo", rules: [] }] }),
            "dashboards/slo.json": JSON.stringify({ title: "SLO", panels: [{ id: 1, title: "Error budget" }] }, null, 2),
        },
    );
    const diff = diffPlans(base, head);

    it("lists resources added, removed and changed by type and name, with the changed input paths", () => {
        assert.deepEqual(diff.resources.added.map((r) => r.name), ["mimir-blocks"]);
        assert.deepEqual(diff.resources.removed.map((r) => r.name), ["tempo-traces"]);
        const changed = Object.fromEntries(diff.resources.changed.map((c) => [c.name, c.paths]));
        assert.deepEqual(changed, {
            "loki-chunks": ["inputs.forceDestroy"],
            "dev-gke-loki": ["inputs.values", "inputs.version"],
        });
        assert.equal(diff.resources.baseCount, 3);
        assert.equal(diff.resources.headCount, 3);
    });

    it("shows a Helm values change as a YAML diff of the values file, not inside the release", () => {
        const file = diff.files.find((f) => f.file === "values/dev-gke-loki.yaml");
        assert.equal(file?.status, "changed");
        const lines = file!.patch.split("\n");
        assert.ok(lines.includes("-    retention_period: 720h"), file!.patch);
        assert.ok(lines.includes("+    retention_period: 168h"), file!.patch);
        const releasePatch = diff.resources.changed.find((c) => c.name === "dev-gke-loki")!.patch;
        assert.match(releasePatch, /^-\s+version: 6\.40\.0$/m);
        assert.match(releasePatch, /^\+\s+version: 6\.41\.0$/m);
        assert.doesNotMatch(releasePatch, /retention_period/);
    });

    it("diffs every other plan file generically: rule files added, dashboards removed", () => {
        const status = Object.fromEntries(diff.files.map((f) => [f.file, f.status]));
        assert.equal(status["rules/slo.yaml"], "added");
        assert.equal(status["dashboards/old.json"], "removed");
        assert.match(diff.files.find((f) => f.file === "rules/slo.yaml")!.patch, /^\+ {2}- name: slo$/m);
    });

    it("shows a changed JSON dashboard as a YAML diff of its data, not of its formatting", () => {
        const dashboard = diff.files.find((f) => f.file === "dashboards/slo.json")!;
        assert.equal(dashboard.status, "changed");
        assert.equal(dashboard.shownAsYaml, true);
        const lines = dashboard.patch.split("\n");
        assert.ok(lines.includes("-    title: Burn rate"), dashboard.patch);
        assert.ok(lines.includes("+    title: Error budget"), dashboard.patch);
        assert.equal(lines.filter((l) => /^[-+]/.test(l)).length, 2, "one line out, one in, although the JSON was reformatted");
    });

    it("treats a reordered but equal YAML or JSON file as unchanged", () => {
        const a = planFiles([], { "settings.json": '{"a": 1, "b": 2}', "values/x.yaml": "a: 1\nb: 2\n" });
        const b = planFiles([], { "settings.json": '{\n  "b": 2,\n  "a": 1\n}\n', "values/x.yaml": "b: 2\na: 1\n" });
        assert.equal(hasChanges(diffPlans(a, b)), false);
    });

    it("never prints a value that either revision treats as a secret", () => {
        // The base leaked a password in plaintext; the head fixed it. The diff ends up in a comment.
        const leaky = planFiles([secret("hunter2-plaintext")], { "values/x.yaml": values({ adminPassword: "hunter2-plaintext" }) });
        const fixed = planFiles([secret("[secret]")], { "values/x.yaml": values({ adminPassword: "[secret]", replicas: 2 }) });
        for (const [a, b] of [
            [leaky, fixed],
            [fixed, leaky],
        ]) {
            const d = diffPlans(a, b);
            const text = renderText(d, heading) + renderMarkdown(d, heading);
            assert.doesNotMatch(text, /hunter2/);
            assert.match(text, /replicas: 2/, "the rest of the change is still shown");
        }
        // A masked secret on both sides is not a change (its value cannot be compared).
        assert.equal(hasChanges(diffPlans(fixed, fixed)), false);
    });

    it("renders Markdown for a pull request: summary, tables and collapsible diff blocks", () => {
        const md = renderMarkdown(diff, heading);
        assert.match(md, /^### Offline plan diff: stack `dev`/);
        assert.match(md, /\*\*1 to add, 2 to change, 1 to remove \(3 -> 3 resources\); 4 plan file\(s\) changed\*\*/);
        assert.match(md, /^\| \+ add \| `gcp:storage\/bucket:Bucket` \| `mimir-blocks` \| \|$/m);
        assert.match(md, /^\| - remove \| `gcp:storage\/bucket:Bucket` \| `tempo-traces` \| \|$/m);
        assert.match(md, /^\| ~ change \| `kubernetes:helm.sh\/v3:Release` \| `dev-gke-loki` \| `inputs.values`, `inputs.version` \|$/m);
        assert.match(md, /<details><summary>changed <code>values\/dev-gke-loki.yaml<\/code><\/summary>\n\n```diff\n@@ /);
        assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
    });

    it("keeps Markdown code blocks closed when the content holds backticks, and within the comment limit", () => {
        const a = planFiles([], { "values/x.yaml": values({ doc: "plain" }) });
        const b = planFiles([], { "values/x.yaml": values({ doc: "```\n# not a heading\n```" }) });
        const md = renderMarkdown(diffPlans(a, b), heading);
        assert.match(md, /^````diff$/m, "the fence is longer than the content's backtick runs");

        const big = planFiles([], { "values/big.yaml": values({ lines: Array.from({ length: 5000 }, (_, i) => `line ${i}`) }) });
        const limited = renderMarkdown(diffPlans(a, big), heading, 4000);
        assert.ok(limited.length <= 4000, `${limited.length} characters`);
        assert.match(limited, /Diff truncated/);
        assert.match(limited, /\| added \| `values\/big.yaml` \|/, "the tables survive truncation");
    });

    it("reports no changes for identical plans, in both formats", () => {
        const d = diffPlans(base, base);
        assert.equal(hasChanges(d), false);
        assert.match(renderText(d, heading), /No changes/);
        assert.match(renderMarkdown(d, heading), /\*\*No changes\.\*\*/);
    });

    it("reads plan directories, nested folders included; a missing directory is an empty plan", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-dir-"));
        try {
            fs.mkdirSync(path.join(dir, "rules"));
            fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify([bucket("b")]));
            fs.writeFileSync(path.join(dir, "rules", "a.yaml"), "groups: []\n");
            const d = diffPlanDirs(path.join(dir, "absent"), dir);
            assert.deepEqual(d.resources.added.map((r) => r.name), ["b"]);
            assert.deepEqual(d.files.map((f) => `${f.status} ${f.file}`), ["added rules/a.yaml"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("plan:diff command in a git repository", function () {
    this.timeout(180_000);
    let repo: string;
    /** TMPDIR of the command: whatever it creates there must be gone when it exits. */
    let scratch: string;
    const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: repo, encoding: "utf8" });
    const gitCommit = (message: string) =>
        sh("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qam", message]);
    const planDiff = (...args: string[]) =>
        spawnSync(process.execPath, ["-r", "ts-node/register", "tools/plan-diff.ts", "--stack", "dev", ...args], {
            cwd: repo,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", TMPDIR: scratch },
        });
    const worktrees = () => sh("git", ["worktree", "list", "--porcelain"]).split("\n").filter((l) => l.startsWith("worktree ")).length;
    const devStack = () => path.join(repo, "Pulumi.dev.yaml");

    before(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-repo-"));
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-scratch-"));
        // The whole project as it is now (whatever assets the program reads), without installs and outputs.
        for (const entry of fs.readdirSync(ROOT).filter((e) => ![".git", "node_modules", "out"].includes(e))) {
            fs.cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
        fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\nout/\n");
        sh("git", ["init", "-q", "-b", "main"]);
        sh("git", ["add", "-A"]);
        gitCommit("base");
    });
    afterEach(() => assert.deepEqual(fs.readdirSync(scratch).filter((f) => f.startsWith("plan-diff-")), [], "temporary plans left behind"));
    after(() => {
        fs.rmSync(repo, { recursive: true, force: true });
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("exits 0 with no changes against the same revision, and leaves no worktree behind", () => {
        const r = planDiff("--base", "HEAD");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /No changes/);
        assert.equal(worktrees(), 1);
    });

    it("exits 2 and shows the values change when the working tree changes the plan", () => {
        const original = fs.readFileSync(devStack(), "utf8");
        fs.appendFileSync(devStack(), "  observability-platform:prometheus:\n    storageGi: 40\n");
        try {
            const r = planDiff("--base", "main", "--format", "markdown");
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stdout, /values\/dev-gke-kube-prometheus-stack\.yaml/);
            assert.match(r.stdout, /^-\s+storage: 20Gi$/m);
            assert.match(r.stdout, /^\+\s+storage: 40Gi$/m);
            assert.equal(worktrees(), 1);

            const strict = planDiff("--base", "main", "--expect-no-changes");
            assert.equal(strict.status, 1);
            assert.match(strict.stderr, /expected no changes against main, but the plan changed/);
        } finally {
            fs.writeFileSync(devStack(), original);
        }
    });

    it("fails with the base plan's error and still removes the worktree when the base revision cannot be planned", () => {
        const original = fs.readFileSync(devStack(), "utf8");
        fs.writeFileSync(devStack(), original.replace("tier: minimal", "tier: gold"));
        gitCommit("broken config");
        try {
            fs.writeFileSync(devStack(), original);
            const r = planDiff("--base", "HEAD");
            assert.equal(r.status, 1);
            assert.match(r.stderr, /planning stack dev at base HEAD failed/);
            assert.match(r.stderr, /tier/);
            assert.equal(worktrees(), 1);
        } finally {
            sh("git", ["reset", "-q", "--hard", "HEAD~1"]);
        }
    });

    it("refuses a base that is not a commit", () => {
        const r = planDiff("--base", "no-such-ref");
        assert.equal(r.status, 1);
        assert.match(r.stderr, /--base no-such-ref is not a commit/);
    });
});
