// Broken and careless stack files: every YAML problem, a key under a misspelt namespace and a project
// key that shadows a provider's is one config error naming where and what, and nothing is planned.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";
import { planStack } from "../tools/offline/plan";
import { readStackConfig } from "../tools/offline/stack-config";
import { stackConfig } from "./support/program";
import { planCommand } from "../tools/plan";
import { runCommand } from "./support/command";

const ROOT = path.resolve(__dirname, "..");
const BASE = [
    "config:",
    "  gcp:project: acme-observability-dev",
    "  gcp:region: us-central1",
    "  observability-platform:tier: minimal",
    "  observability-platform:clusters:",
    "    - { name: a-gke, location: us-central1-a, role: hub }",
];

describe("stack files", function () {
    this.timeout(60_000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const write = (lines: string[]) => {
        const file = path.join(tmp, "Pulumi.broken.yaml");
        fs.writeFileSync(file, `${lines.join("\n")}\n`);
        return file;
    };
    const problemsOf = (lines: string[]): string => {
        try {
            readStackConfig(ROOT, "broken", write(lines));
        } catch (err) {
            assert.ok(err instanceof ConfigError, `a ConfigError, not ${(err as Error).stack}`);
            return err.message;
        }
        assert.fail("the stack file was accepted");
    };

    it("names the line and column of a tab in the indentation and of a duplicate key, with what to write instead", () => {
        const message = problemsOf([...BASE, "  gcp:region: us-east1", "\tobservability-platform:loki: {}"]);
        assert.match(message, /Pulumi\.broken\.yaml line 7, column 3: expected each key once .*got Map keys must be unique/);
        assert.match(message, /Pulumi\.broken\.yaml line 8, column 1: expected indentation with spaces \(YAML does not allow tabs\)/);
        assert.match(message, /\(2 problems\)/);
    });

    it("refuses a top level or a config: that is not a map", () => {
        assert.match(problemsOf(["- config", "- gcp:project"]), /Pulumi\.broken\.yaml: expected a map at the top of the file/);
        assert.match(problemsOf(["config:", "  - gcp:project: x"]), /Pulumi\.broken\.yaml: config: expected a map of config keys to values.*got a list/);
        assert.match(problemsOf(["config: minimal"]), /config: expected a map of config keys.*got "minimal"/);
    });

    it("plans nothing, with no stack trace, for a broken file", async () => {
        const out = path.join(tmp, "out");
        const r = await runCommand(planCommand, ["--stack", "broken", "--stack-file", write([...BASE, "\tx: 1"]), "--out", out]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^Invalid stack config for stack "broken" \(1 problem\):\n {2}- .*line 7, column 1: expected indentation with spaces/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.equal(fs.existsSync(out), false);
    });

    it("refuses keys under a near miss of the project's namespace and project keys that shadow provider keys, warns of other namespaces without their values", async () => {
        const canary = "canary-value-7f3a91";
        const file = write([
            ...BASE,
            "  observability-platfrom:slos: []",
            "  observability-platform:project: acme-other",
            "  observability-platform:region: europe-west1",
            "  observability-platform:stack: prod",
            `  someothertool:token: ${canary}`,
        ]);
        const r = await runCommand(planCommand, ["--stack", "broken", "--stack-file", file, "--out", path.join(tmp, "out")]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /observability-platfrom:slos: expected a key of the project's namespace "observability-platform" \(did you mean observability-platform:slos\?\)/);
        assert.match(r.stderr, /observability-platform:project: expected nothing: the GCP project is gcp:project .*got "acme-other"/);
        assert.match(r.stderr, /observability-platform:region: expected nothing: the GCP region is gcp:region/);
        assert.match(r.stderr, /observability-platform:stack: expected nothing: the stack's name is Pulumi's own/);
        assert.match(r.stderr, /\(4 problems\)/);
        assert.match(r.stdout + r.stderr, /config key someothertool:token is of no namespace this program or its providers read/);
        assert.ok(!(r.stdout + r.stderr).includes(canary), "the other namespace's value is never echoed");
    });
});

describe("careless values", function () {
    this.timeout(60_000);
    const hub = { name: "prod-gke", location: "asia-northeast3", role: "hub" };
    const problems = (values: Record<string, unknown>, gcpRegion = "asia-northeast3"): Map<string, string> => {
        try {
            resolveSettings({ stack: "prod", namespace: "observability-platform", gcpProject: "acme-observability-prod", gcpRegion, values: { tier: "long-term", clusters: [hub], ...values } });
        } catch (err) {
            assert.ok(err instanceof ConfigError);
            return new Map(err.message.split("\n").filter((l) => l.startsWith("  - ")).map((l) => [l.slice(4, l.indexOf(": expected")), l]));
        }
        return new Map();
    };
    const slo = (extra: Record<string, unknown>) => ({
        service: "api",
        owner: "team-a",
        runbookUrl: "https://runbooks.example.com/api",
        objectives: [{ name: "availability", kind: "availability", target: 99.9, metric: "http_requests_total", selector: { job: "api" }, errorSelector: { code: "5.." } }],
        ...extra,
    });

    it("refuses the namespaces Kubernetes keeps as platform namespaces", () => {
        const p = problems({ namespaces: { monitoring: "kube-system", logging: "default", tracing: "tracing", gitops: "argocd" } });
        assert.match(p.get("observability-platform:namespaces.monitoring") ?? "", /a namespace of the platform's own, not one Kubernetes keeps .*got "kube-system"/);
        assert.match(p.get("observability-platform:namespaces.logging") ?? "", /got "default"/);
        assert.equal(p.size, 2);
    });

    it("holds ranges to what Kubernetes and GCP accept: limits at least the requests, disks within 64 TiB, retention within the tier's cap", () => {
        const p = problems({
            resources: { loki: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "250m", memory: "1Gi" } } },
            tempo: { storageGi: 100000 },
            retention: { logsDays: 999999 },
        });
        assert.match(p.get("observability-platform:resources.loki.limits.memory") ?? "", /a memory limit at least the request \(2Gi\)/);
        assert.match(p.get("observability-platform:resources.loki.limits.cpu") ?? "", /a CPU limit at least the request \(500m\), or none/);
        assert.match(p.get("observability-platform:tempo.storageGi") ?? "", /at most 65536 GiB \(64 TiB, the largest persistent disk\).*got 100000/);
        assert.match(p.get("observability-platform:retention.logsDays") ?? "", /at most 418 days in the long-term tier.*got 999999/);
        assert.equal(problems({ resources: { loki: { requests: { cpu: "500m", memory: "1024Mi" }, limits: { memory: "1Gi" } } } }).size, 0, "1024Mi is 1Gi");
    });

    it("takes a two-digit region or zone (europe-west10), as GCP names them", () => {
        const p = problems({ clusters: [{ ...hub, location: "europe-west10-a" }] }, "europe-west10");
        assert.deepEqual([...p.keys()], []);
    });

    it("refuses a public address for the fleet gateway's internal load balancer", () => {
        const spoke = { name: "edge", location: "us-east1", role: "spoke" };
        const base = { clusters: [hub, spoke], fleet: { hub: { host: "fleet.acme-corp.example", loadBalancerIP: "34.64.10.20" } } };
        assert.match(problems(base).get("observability-platform:fleet.hub.loadBalancerIP") ?? "", /a private IPv4 address .*got "34\.64\.10\.20"/);
        assert.equal(problems({ ...base, fleet: { hub: { host: "fleet.acme-corp.example", loadBalancerIP: "10.128.0.50" } } }).size, 0);
    });

    it("refuses alert links with credentials in them or left as template placeholders", () => {
        const p = problems({
            slos: [slo({ runbookUrl: "https://user:hunter2@wiki.acme-corp.example/api" }), slo({ service: "b", runbookUrl: "https://wiki.acme-corp.example/{{ .service }}" }), slo({ service: "c", runbookUrl: "https://{{ runbook }}/c" })],
            alerting: { runbookBaseUrl: "https://github.com/acme/obs/blob/main/docs/runbooks", grafanaUrl: "https://<grafana-host>", slack: { alertsChannel: "#alerts", monitoringChannel: "#monitoring" } },
        });
        assert.match(p.get("observability-platform:slos[0].runbookUrl") ?? "", /without a user or password in it/);
        assert.doesNotMatch(p.get("observability-platform:slos[0].runbookUrl") ?? "", /hunter2/, "the password is not echoed");
        assert.match(p.get("observability-platform:slos[1].runbookUrl") ?? "", /not a template placeholder/);
        assert.match(p.get("observability-platform:slos[2].runbookUrl") ?? "", /expected an http\(s\) URL/);
        assert.match(p.get("observability-platform:alerting.grafanaUrl") ?? "", /an http\(s\) URL/);
    });

    it("refuses a secure: value on a key that is not a secret, naming the key and not the value", async () => {
        const config = { ...stackConfig("dev"), "observability-platform:loki": JSON.stringify({ storageGi: 20 }) };
        await assert.rejects(planStack("dev", { config, secretKeys: ["observability-platform:loki"] }), (err: unknown) => {
            assert.ok(err instanceof ConfigError, String(err));
            assert.match(err.message, /observability-platform:loki: expected a plain value: only pagerdutyRoutingKey, .* are secrets.*got a Pulumi secret \(not shown\)/);
            assert.doesNotMatch(err.message, /storageGi/);
            return true;
        });
    });
});
