// The plan diff a reviewer reads on a pull request: what it reports between two crafted plans, how it
// keeps secrets out, rendered manifests compared per Kubernetes object, its Markdown, and the
// command's git worktree handling, --render and exit codes.
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { diffManifests, diffPlanDirs, diffPlans, hasChanges, manifestHasChanges, readPlanDir } from "../tools/diff/plan-diff";
import { renderMarkdown, renderText } from "../tools/diff/render";
import { maskGenerated, renderReleases } from "../tools/charts/render";
import { renderPlanDir } from "../tools/offline/manifests";
import { RUN_CACHE_ENV } from "../tools/run-cache";
import { writePlan, type Plan } from "../tools/offline/plan";
import { planVariant } from "./support/program";

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

describe("plan diff: resources matched by URN, as the engine matches them", () => {
    const STACK = "urn:pulumi:dev::observability-platform::";
    const cluster = { type: "observability:cluster:ClusterPlatform", name: "dev-gke", parent: "observability-platform-dev", provider: null, inputs: {} };
    const stackResource = { type: "pulumi:pulumi:Stack", name: "observability-platform-dev", parent: null, provider: null, inputs: {} };
    const metrics = { type: "observability:metrics:Metrics", name: "dev-gke-metrics", parent: "dev-gke", provider: null, inputs: {} };
    const namespace = (parent: string, extra: object = {}) => ({
        type: "kubernetes:core/v1:Namespace",
        name: "dev-gke-ns-logging",
        parent,
        provider: "dev-gke-k8s",
        inputs: { metadata: { name: "logging" } },
        ...extra,
    });
    const OLD_RELEASE_URN = `${STACK}observability:cluster:ClusterPlatform$kubernetes:helm.sh/v3:Release::dev-gke-loki`;
    const base = planFiles([stackResource, cluster, release("6.40.0", {}), namespace("dev-gke", { retainOnDelete: true })]);

    it("labels a release and a namespace moved under a new parent without an alias as replacements, with what that does", () => {
        const head = planFiles([stackResource, cluster, metrics, { ...release("6.40.0", {}), parent: "dev-gke-metrics" }, namespace("dev-gke-metrics", { retainOnDelete: true })]);
        const d = diffPlans(base, head);
        assert.deepEqual(
            d.resources.replaced.map((x) => [x.name, x.from, x.to]),
            [
                ["dev-gke-ns-logging", "observability:cluster:ClusterPlatform$kubernetes:core/v1:Namespace::dev-gke-ns-logging", "observability:cluster:ClusterPlatform$observability:metrics:Metrics$kubernetes:core/v1:Namespace::dev-gke-ns-logging"],
                ["dev-gke-loki", "observability:cluster:ClusterPlatform$kubernetes:helm.sh/v3:Release::dev-gke-loki", "observability:cluster:ClusterPlatform$observability:metrics:Metrics$kubernetes:helm.sh/v3:Release::dev-gke-loki"],
            ],
        );
        assert.match(d.resources.replaced[1].consequence, /uninstalls the release and installs it again/);
        assert.match(d.resources.replaced[0].consequence, /stays \(retainOnDelete\).*already exists/);
        // Only the new component is added; nothing is listed as removed or merely changed.
        assert.deepEqual(d.resources.added.map((r) => r.name), ["dev-gke-metrics"]);
        assert.deepEqual([d.resources.removed, d.resources.changed], [[], []]);
        const text = renderText(d, heading);
        assert.match(text, /1 to add, 0 to change, 0 to remove, 2 to REPLACE/);
        assert.match(text, /REPLACEMENT: .*no alias/);
        assert.match(text, /! kubernetes:helm.sh\/v3:Release dev-gke-loki: Helm uninstalls/);
        assert.match(renderMarkdown(d, heading), /> \[!CAUTION\]\n> \*\*Replacement: /);
    });

    it("reports a move with an alias to the old URN as a move and a change of parent, not a replacement", () => {
        const moved = { ...release("6.40.0", {}), parent: "dev-gke-metrics", aliases: [OLD_RELEASE_URN] };
        const d = diffPlans(base, planFiles([stackResource, cluster, metrics, moved, namespace("dev-gke", { retainOnDelete: true })]));
        assert.deepEqual(d.resources.replaced, []);
        assert.deepEqual(d.resources.moved.map((x) => [x.name, x.from]), [["dev-gke-loki", "observability:cluster:ClusterPlatform$kubernetes:helm.sh/v3:Release::dev-gke-loki"]]);
        assert.deepEqual(d.resources.changed.map((c) => [c.name, c.paths]), [["dev-gke-loki", ["aliases", "parent"]]]);
        assert.match(renderText(d, heading), /1 moved by alias/);
    });

    it("matches plans that record URNs with plans written before they did", () => {
        const recorded = { ...release("6.40.0", {}), urn: OLD_RELEASE_URN };
        const d = diffPlans(planFiles([stackResource, cluster, release("6.40.0", {})]), planFiles([stackResource, cluster, recorded]));
        assert.equal(hasChanges(d), false);
    });
});

describe("plan diff of rendered manifests, per Kubernetes object", () => {
    // Helm's output as `helm template` prints it: documents after "---", each with its "# Source:".
    const doc = (source: string, body: string) => `---\n# Source: ${source}\n${body.trim()}\n`;
    const serviceAccount = (chart: string) =>
        doc(
            "web/templates/serviceaccount.yaml",
            `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: apps
  labels:
    helm.sh/chart: ${chart}
    app.kubernetes.io/name: web
`,
        );
    const configMap = doc(
        "web/templates/configmap.yaml",
        `
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: apps
data:
  mode: fast
`,
    );
    const deployment = (image: string, chart = "web-1.0.0", replicas = 2) =>
        doc(
            "web/templates/deployment.yaml",
            `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels:
    helm.sh/chart: ${chart}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${image}
`,
        );
    const service = doc(
        "web/templates/service.yaml",
        `
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  ports:
    - port: 80
`,
    );
    const names = (objects: { kind: string; namespace?: string; name: string }[]) =>
        objects.map((o) => `${o.kind} ${o.namespace ?? "-"}/${o.name}`);

    it("lists the objects added, removed and changed by kind, namespace and name, with a diff of each changed object", () => {
        const d = diffManifests(configMap + deployment("nginx:1.25"), deployment("nginx:1.27") + service);
        assert.deepEqual(names(d.added), ["Service apps/web"]);
        assert.deepEqual(names(d.removed), ["ConfigMap apps/web-config"]);
        assert.deepEqual(names(d.changed), ["Deployment apps/web"]);
        const [web] = d.changed;
        assert.deepEqual(web.paths, ["spec.template.spec.containers[0].image"]);
        assert.equal(web.rollsPods, true, "a new pod template replaces the Deployment's pods");
        const changedLines = web.patch.split("\n").filter((l) => /^[-+]/.test(l));
        assert.deepEqual(
            changedLines.map((l) => l.replace(/\s+/g, " ")),
            ["- - image: nginx:1.25", "+ - image: nginx:1.27"],
            web.patch,
        );
        assert.match(d.added[0].yaml, /^ {4}- port: 80$/m, "an added object is shown whole");
        assert.equal(d.baseCount, 2);
        assert.equal(d.headCount, 2);
    });

    it("treats reordered keys, other quoting and styles, comments and moved templates as no change", () => {
        const reformatted = `# Source: web/templates/renamed.yaml
kind: Deployment
apiVersion: "apps/v1"
metadata: {namespace: apps, name: web, labels: {"helm.sh/chart": 'web-1.0.0'}}
spec:
  template:
    spec:
      containers:
      - image: "nginx:1.25"   # the same image
        name: web
    metadata:
      labels: {app: web}
  selector: {matchLabels: {app: web}}
  replicas: 2
---
${configMap.replace("mode: fast", 'mode: "fast"')}`;
        const d = diffManifests(configMap + deployment("nginx:1.25"), reformatted);
        assert.equal(manifestHasChanges(d), false, JSON.stringify(d, null, 2));
        // In a plan: the manifest file differs as text, but it is no change.
        const plan = (manifest: string) => planFiles([], { "manifests/dev-gke-web.yaml": manifest });
        const p = diffPlans(plan(configMap + deployment("nginx:1.25")), plan(reformatted));
        assert.equal(hasChanges(p), false);
        assert.deepEqual(p.files, [], "a manifest is never diffed as a plain file");
    });

    it("summarises a chart bump's chart and version labels once, and shows only the objects' real changes", () => {
        const d = diffManifests(
            serviceAccount("web-1.0.0") + deployment("nginx:1.25", "web-1.0.0"),
            serviceAccount("web-1.1.0") + deployment("nginx:1.27", "web-1.1.0"),
        );
        assert.deepEqual(d.versionLabels, [{ label: "helm.sh/chart", before: "web-1.0.0", after: "web-1.1.0", objects: 2 }]);
        assert.deepEqual(names(d.relabelled), ["ServiceAccount apps/web"]);
        assert.equal(d.relabelled[0].rollsPods, false, "the label is not on a pod template");
        assert.deepEqual(names(d.changed), ["Deployment apps/web"]);
        assert.deepEqual(d.changed[0].paths, ["spec.template.spec.containers[0].image"]);
        assert.doesNotMatch(d.changed[0].patch, /web-1\.[01]\.0/, "the label change is in the summary, not in the object's diff");
    });

    it("says which workloads roll their pods when a chart bump relabels only their pod template", () => {
        const withTemplateLabel = (chart: string) =>
            deployment("nginx:1.25", chart).replace("        app: web\n", `        app: web\n        helm.sh/chart: ${chart}\n`);
        const d = diffManifests(withTemplateLabel("web-1.0.0"), withTemplateLabel("web-1.1.0"));
        assert.deepEqual(d.changed, []);
        assert.deepEqual(d.relabelled, [{ kind: "Deployment", namespace: "apps", name: "web", rollsPods: true }]);
        const text = renderText(
            { resources: { added: [], removed: [], changed: [], replaced: [], moved: [], baseCount: 0, headCount: 0 }, files: [], dataLoss: [], manifests: [{ file: "manifests/dev-gke-web.yaml", release: "dev-gke-web", status: "changed", ...d }] },
            heading,
        );
        assert.match(text, /1 object\(s\) with only chart\/version labels changed \(1 Deployment\); these roll their pods for it: Deployment apps\/web/);
        assert.match(text, /helm\.sh\/chart web-1\.0\.0 -> web-1\.1\.0 on 1 object\(s\)/);
    });

    it("matches an object that gains the release's namespace explicitly, rather than removing and adding it", () => {
        const without = service.replace("  namespace: apps\n", "");
        const d = diffManifests(without, service, { namespace: "apps" });
        assert.deepEqual(d.added, []);
        assert.deepEqual(d.removed, []);
        assert.deepEqual(d.changed.map((c) => c.paths), [["metadata.namespace"]]);
        // Another namespace than the release's is another object.
        const elsewhere = diffManifests(without, service.replace("namespace: apps", "namespace: other"), { namespace: "apps" });
        assert.deepEqual([names(elsewhere.removed), names(elsewhere.added)], [["Service -/web"], ["Service other/web"]]);
    });

    it("never shows Secret data, but says that a value changed", () => {
        const secret = (password: string, token: string) =>
            doc(
                "web/templates/secret.yaml",
                `
apiVersion: v1
kind: Secret
metadata:
  name: web
  namespace: apps
data:
  password: ${password}
  token: ${token}
`,
            );
        const d = diffManifests(secret("aHVudGVyMg==", "dG9rZW4="), secret("c3dvcmRmaXNo", "dG9rZW4=") + secret("bmV3", "bmV3").replace("name: web", "name: web-2"));
        const shown = JSON.stringify(d);
        for (const value of ["aHVudGVyMg==", "c3dvcmRmaXNo", "dG9rZW4=", "bmV3"]) assert.ok(!shown.includes(value), `${value} shown`);
        assert.deepEqual(d.changed[0].paths, ["data.password"]);
        assert.match(d.changed[0].patch, /^- {2}password: "?\[secret\]"?$/m);
        assert.match(d.changed[0].patch, /^\+ {2}password: "?\[secret\] \(changed\)"?$/m);
        assert.match(d.added[0].yaml, /^ {2}token: "?\[secret\]"?$/m);
    });

    it("warns of changes an upgrade cannot apply: immutable fields, CRDs of a chart's crds/ folder", () => {
        const statefulSet = (size: string, app = "db") =>
            doc(
                "db/templates/statefulset.yaml",
                `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: apps}
spec:
  selector: {matchLabels: {app: ${app}}}
  template: {metadata: {labels: {app: ${app}}}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {resources: {requests: {storage: ${size}}}}
`,
            );
        const crd = (source: string, version: string) =>
            doc(
                source,
                `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, versions: [{name: ${version}}]}
`,
            );
        const sts = diffManifests(statefulSet("10Gi"), statefulSet("20Gi", "database")).changed[0];
        assert.deepEqual(sts.notes, [
            "spec.selector is immutable: the upgrade fails until the StatefulSet is deleted",
            "StatefulSet spec.volumeClaimTemplates is immutable: the upgrade fails until the StatefulSet is deleted",
        ]);
        assert.deepEqual(diffManifests(statefulSet("10Gi"), statefulSet("10Gi").replace("{name: db,", "{name: db, labels: {a: b},")).changed[0].notes, [], "a label is no immutable field");

        const fromFolder = diffManifests(crd("db/charts/crds/crds/widgets.yaml", "v1"), crd("db/charts/crds/crds/widgets.yaml", "v2")).changed[0];
        assert.equal(fromFolder.notes.length, 1);
        assert.match(fromFolder.notes[0], /crds\/ folder: Helm applies that folder only at the first install/);
        const fromTemplates = diffManifests(crd("db/templates/crds/widgets.yaml", "v1"), crd("db/templates/crds/widgets.yaml", "v2")).changed[0];
        assert.deepEqual(fromTemplates.notes, [], "a CRD among the templates is upgraded like any object");
        assert.deepEqual(diffManifests(undefined, crd("db/crds/widgets.yaml", "v1")).added[0].notes, [], "a new release installs its crds/");
    });

    it("falls back to a text diff when a side is not YAML that parses", () => {
        const d = diffManifests(configMap, `${configMap}---\nkind: [unclosed\n`);
        assert.ok(d.unparsed, "marked as not parsed");
        assert.match(d.unparsed.patch, /^\+kind: \[unclosed$/m);
        assert.equal(manifestHasChanges(d), true);
    });

    it("renders a manifest's objects in text and Markdown, chart bump summary first", () => {
        const base = planFiles([], { "manifests/dev-gke-web.yaml": serviceAccount("web-1.0.0") + configMap + deployment("nginx:1.25", "web-1.0.0") });
        const head = planFiles([], { "manifests/dev-gke-web.yaml": serviceAccount("web-1.1.0") + deployment("nginx:1.27", "web-1.1.0") + service });
        const d = diffPlans(base, head);
        assert.deepEqual(d.manifests.map((m) => `${m.status} ${m.file} ${m.release}`), ["changed manifests/dev-gke-web.yaml dev-gke-web"]);

        const text = renderText(d, { ...heading, rendered: true });
        assert.match(text, /^~ manifests\/dev-gke-web\.yaml \(release dev-gke-web, changed\): 1 to add, 1 to change, 1 to remove, 1 with only chart\/version labels changed \(3 -> 3 objects\)$/m);
        assert.match(text, /^ {4}\+ Service apps\/web$/m);
        assert.match(text, /^ {4}- ConfigMap apps\/web-config$/m);
        assert.match(text, /^ {4}~ Deployment apps\/web \(spec\.template\.spec\.containers\[0\]\.image\): rolls its pods$/m);
        assert.match(text, /^ {8}\+\s+- image: nginx:1\.27$/m);

        const md = renderMarkdown(d, { ...heading, rendered: true });
        assert.match(md, /Helm manifests rendered for both and compared per object\./);
        assert.match(md, /; 1 rendered manifest\(s\) changed\*\*/);
        assert.match(md, /^Chart and version labels \(not repeated below\): `helm\.sh\/chart` `web-1\.0\.0` -> `web-1\.1\.0` on 2 object\(s\)$/m);
        assert.match(md, /^\| ~ change \| `Deployment` \| `apps\/web` \| `spec\.template\.spec\.containers\[0\]\.image` \| rolls its pods \|$/m);
        assert.match(md, /^\| \+ add \| `Service` \| `apps\/web` \| \| \|$/m);
        assert.match(md, /^\| - remove \| `ConfigMap` \| `apps\/web-config` \| \| \|$/m);
        assert.match(md, /<details><summary>~ <code>Deployment apps\/web<\/code> in <code>manifests\/dev-gke-web\.yaml<\/code><\/summary>/);
        assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
    });
});

describe("plan diff of plans rendered by Helm", function () {
    // The dev plan and two renders of its releases.
    this.timeout(60_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-rendered-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("shows a value changed in resources.json as the change of the one object it renders, with what the upgrade makes of it", async () => {
        const base = path.join(dir, "base");
        const head = path.join(dir, "head");
        writePlan(await planVariant("dev"), base);
        fs.cpSync(base, head, { recursive: true });
        const resources = JSON.parse(fs.readFileSync(path.join(head, "resources.json"), "utf8")) as { name: string; inputs: any }[];
        const tempo = resources.find((r) => r.name === "dev-gke-tempo")!;
        assert.equal(tempo.inputs.values.persistence.size, "50Gi", "the dev plan's Tempo volume, as this test assumes");
        tempo.inputs.values.persistence.size = "60Gi";
        fs.writeFileSync(path.join(head, "resources.json"), JSON.stringify(resources, null, 2));

        await Promise.all([renderPlanDir(base), renderPlanDir(head)]);
        const d = diffPlanDirs(base, head);
        assert.deepEqual(d.manifests.map((m) => m.file), ["manifests/dev-gke-tempo.yaml"], "the other releases render alike");
        const [m] = d.manifests;
        assert.deepEqual([m.added, m.removed, m.relabelled], [[], [], []]);
        assert.deepEqual(
            m.changed.map((c) => [`${c.kind} ${c.namespace}/${c.name}`, c.paths, c.notes]),
            [
                [
                    "StatefulSet tracing/tempo",
                    ["spec.volumeClaimTemplates[0].spec.resources.requests.storage"],
                    ["StatefulSet spec.volumeClaimTemplates is immutable: the upgrade fails until the StatefulSet is deleted"],
                ],
            ],
        );
        assert.deepEqual(
            m.changed[0].patch.split("\n").filter((l) => /^[-+]/.test(l)).map((l) => l.replace(/\s+/g, " ")),
            ["- storage: 50Gi", "+ storage: 60Gi"],
        );
    });
});

describe("plan diff: what Helm generates at each render", function () {
    this.timeout(60_000);
    it("masks the operator's webhook certificate, new at every render, so two renders of one plan are no change", async () => {
        const operator = (await planVariant("dev")).releases.filter((r) => r.chart === "opentelemetry-operator");
        assert.equal(operator.length, 1);
        // Two real renders: npm test's run cache would hand the second the first one's text.
        const cache = process.env[RUN_CACHE_ENV];
        delete process.env[RUN_CACHE_ENV];
        try {
            const [a, b] = [(await renderReleases(operator))[0].manifest!, (await renderReleases(operator))[0].manifest!];
            assert.notEqual(a, b, "Helm generated the same certificate twice");
            assert.equal(maskGenerated(a), maskGenerated(b));
            const d = diffManifests(maskGenerated(a), maskGenerated(b), { namespace: operator[0].namespace });
            assert.equal(manifestHasChanges(d), false);
        } finally {
            if (cache !== undefined) process.env[RUN_CACHE_ENV] = cache;
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
        // The whole project as it is now (whatever assets the program reads), without outputs; the
        // installs (packages, Helm, the chart cache) are linked, not copied and committed.
        const installs = ["node_modules", ".tools", ".charts"];
        for (const entry of fs.readdirSync(ROOT).filter((e) => ![".git", "out", ...installs].includes(e))) {
            fs.cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
        }
        for (const entry of installs.filter((e) => fs.existsSync(path.join(ROOT, e)))) {
            fs.symlinkSync(path.join(ROOT, entry), path.join(repo, entry), "dir");
        }
        fs.writeFileSync(path.join(repo, ".gitignore"), `${installs.join("\n")}\nout/\n`);
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

    it("with --render, fails with the chart's message when the base pins a chart version found nowhere", () => {
        const pins = path.join(repo, "components", "charts", "pins.ts");
        const original = fs.readFileSync(pins, "utf8");
        const tempoPin = 'chart: "tempo",\n        version: "2.2.4",\n        repo: "https://grafana-community.github.io/helm-charts",';
        assert.ok(original.includes(tempoPin), "the Tempo pin as this test assumes");
        // An older Tempo from a repository that refuses at once: in no cache, no mirror, no repository.
        fs.writeFileSync(pins, original.replace(tempoPin, 'chart: "tempo",\n        version: "2.2.3",\n        repo: "http://127.0.0.1:9/charts",'));
        gitCommit("tempo 2.2.3 from nowhere");
        try {
            fs.writeFileSync(pins, original);
            const r = planDiff("--base", "HEAD", "--render");
            assert.equal(r.status, 1, r.stdout);
            assert.match(r.stderr, /^plan:diff: rendering the Helm releases of base HEAD failed:\nchart tempo 2\.2\.3 not found: .*repository http:\/\/127\.0\.0\.1:9\/charts: /m);
            assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
            assert.equal(r.stdout, "");
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

describe("plan diff: data loss", function () {
    this.timeout(120_000);
    const files = (plan: Plan) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-loss-"));
        try {
            writePlan(plan, path.join(dir, "p"));
            return readPlanDir(path.join(dir, "p"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };
    let prod: Map<string, string>;
    before(async () => {
        prod = files(await planVariant("prod"));
    });

    it("names every bucket and disk-owning release a move from long-term to minimal deletes, and the history it shortens", async () => {
        // The SLOs move along, so the minimal tier's Prometheus must keep their 30-day period plus a day.
        const minimal = files(await planVariant("prod", { set: { tier: "minimal", metricsBackend: "prometheus", grafana: undefined, prometheus: { retentionDays: 31 } } }));
        const d = diffPlans(prod, minimal);
        const loss = d.dataLoss.join("\n");
        for (const store of ["mimir-blocks", "mimir-ruler", "mimir-alertmanager", "loki-chunks", "loki-ruler", "tempo-traces"]) {
            assert.match(loss, new RegExp(`deletes bucket obs-prod-${store}-[0-9a-f]{8} .*\\(protected: pulumi up stops at it`), store);
        }
        assert.match(loss, /deletes release mimir \(mimir-distributed\) with the PersistentVolumeClaims it owns/);
        assert.match(loss, /shortens the retention of metrics in the long-term store \(retention\.metricsDays\) from 395 to \d+ days: \d+ days of stored history are deleted/);
        assert.match(renderText(d, heading), /DATA LOSS: this change deletes stored data:\n {2}! deletes bucket/);
        assert.match(renderMarkdown(d, heading), /> \[!CAUTION\]\n> \*\*Data loss: this change deletes stored data\.\*\*\n> - deletes bucket/);
    });

    it("names the release of a renamed namespace and a shortened lifecycle, and nothing for a change that keeps all data", async () => {
        const renamed = files(await planVariant("prod", { set: { namespaces: { logging: "logs" }, retention: { logsDays: 14 } } }));
        const loss = diffPlans(prod, renamed).dataLoss.join("\n");
        // The namespace resource is named after the namespace: a new name is a new resource, and the old
        // one is retained on delete, so the loss is the release moved out of it, not the namespace.
        assert.doesNotMatch(loss, /namespace logging/);
        assert.match(loss, /replaces release loki \(loki\) with the PersistentVolumeClaims it owns \(namespace changed\)/);
        assert.match(loss, /shortens the retention of logs \(retention\.logsDays\) from 30 to 14 days: 16 days/);
        assert.match(loss, /shortens the lifecycle of bucket obs-prod-loki-chunks-[0-9a-f]{8} \(loki logs\) from 37 to 21 days/);
        const longer = files(await planVariant("prod", { set: { retention: { logsDays: 60 } }, }));
        assert.deepEqual(diffPlans(prod, longer).dataLoss, []);
    });
});
