// Application scrape targets (`scrape`): each becomes a monitor the operator accepts, whose series
// carry the job name the stack's SLOs select; bad entries are refused before anything is declared.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { scrapeMonitors, undeclaredSloJobWarnings } from "../components/metrics/scrape-targets";
import { planStack, type Plan } from "../tools/offline/plan";
import { planVariant, stackConfig } from "./support/program";
import { loadModels, objectProblems, type K8sObject } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const NS = "observability-platform";


/** The stack file's settings with some top-level keys replaced. */
const resolve = resolveStack;

const target = (extra: Record<string, unknown> = {}) => ({ name: "api", namespace: "shop", selector: { app: "api" }, port: "http", ...extra });

async function validate(objects: K8sObject[]): Promise<string[]> {
    await loadModels(objects);
    return objects.flatMap((o) => objectProblems(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`));
}

describe("scrape targets", () => {
    let prodPlan: Plan;
    before(async function () {
        this.timeout(180_000);
        prodPlan = await planVariant("prod");
    });

    it("prod declares its three services as ServiceMonitors on the hub, after the chart that ships their CRD", () => {
        // The cert-manager preset's own monitor is test/cert-manager.test.ts's.
        const monitors = prodPlan.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.name !== "prod-gke-scrape-cert-manager");
        assert.deepEqual(
            monitors.map((m) => [m.name, m.provider, m.dependsOn]),
            [
                ["prod-gke-scrape-ojeomneo-server", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack"]],
                ["prod-gke-scrape-reviewmaps-admin", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack"]],
                ["prod-gke-scrape-reviewmaps-server", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack"]],
            ],
        );
        const ojeomneo = monitors[0].inputs;
        assert.deepEqual(ojeomneo.metadata, { labels: { "app.kubernetes.io/part-of": "observability-platform" }, name: "ojeomneo-server", namespace: "ojeomneo" });
        assert.deepEqual(ojeomneo.spec, {
            endpoints: [
                {
                    interval: "30s",
                    path: "/actuator/prometheus",
                    port: "http",
                    relabelings: [{ action: "replace", replacement: "ojeomneo-server", targetLabel: "job" }],
                },
            ],
            selector: { matchLabels: { "app.kubernetes.io/name": "ojeomneo-server" } },
            // The long-term tier's per-target defaults (limits.scrape).
            sampleLimit: 20000,
            labelLimit: 20,
        });
    });

    it("prod's monitors validate against the ServiceMonitor CRD kube-prometheus-stack installs, and a broken one does not", async () => {
        const objects = prodPlan.resources.filter((r) => r.type.endsWith(":ServiceMonitor") && r.name !== "prod-gke-scrape-cert-manager").map((r) => r.inputs as K8sObject);
        assert.equal(objects.length, 3);
        assert.deepEqual(await validate(objects), []);
        const broken = structuredClone(objects[0]);
        broken.spec.endpoints[0].interval = "30 seconds";
        broken.spec.endpoints[0].relabelings[0].action = "set";
        assert.equal((await validate([broken])).length, 2);
    });

    it("a pod target becomes a PodMonitor, and an allow-list keeps only the metric names it matches", async () => {
        const settings = resolve("prod", {
            scrape: [target({ kind: "pod", port: "metrics", interval: "15s", path: "/stats", metricAllowList: ["http_.*", "process_cpu_seconds_total"] })],
            certManager: { enabled: false },
        });
        const monitors = scrapeMonitors(settings, "prod-gke");
        assert.deepEqual(monitors, [
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: "api", namespace: "shop", labels: { "app.kubernetes.io/part-of": "observability-platform" } },
                spec: {
                    selector: { matchLabels: { app: "api" } },
                    podMetricsEndpoints: [
                        {
                            port: "metrics",
                            path: "/stats",
                            interval: "15s",
                            relabelings: [{ action: "replace", targetLabel: "job", replacement: "api" }],
                            metricRelabelings: [{ action: "keep", sourceLabels: ["__name__"], regex: "http_.*|process_cpu_seconds_total" }],
                        },
                    ],
                    sampleLimit: 20000,
                    labelLimit: 20,
                },
            },
        ]);
        assert.deepEqual(await validate(monitors), []);
        const broken = structuredClone(monitors[0]) as K8sObject;
        broken.spec.podMetricsEndpoints[0].endpoints = "http";
        assert.equal((await validate([broken])).length, 1);
    });

    it("every SLO's job in dev and prod is a declared target's job in the SLO's namespace", () => {
        const prod = resolve("prod");
        assert.deepEqual(
            prod.scrape.map((t) => `${t.namespace}/${t.name}`),
            ["ojeomneo/ojeomneo-server", "reviewmaps/reviewmaps-server", "reviewmaps/reviewmaps-admin"],
        );
        for (const settings of [prod, resolve("dev")]) {
            for (const o of settings.slos.flatMap((s) => s.objectives)) {
                const { job, namespace } = o.selector;
                assert.ok(job !== undefined && namespace !== undefined, `${settings.stack}: SLO ${o.name} selects no job or namespace`);
                assert.ok(settings.scrape.some((t) => t.name === job && t.namespace === namespace), `${settings.stack}: no target for ${namespace}/${job}`);
            }
            assert.deepEqual(undeclaredSloJobWarnings(settings), []);
        }
    });

    it("an SLO selecting an undeclared job is a warning naming it, not a config error", () => {
        const prod = resolve("prod");
        // reviewmaps-server declared in another namespace does not count.
        const scrape = prod.scrape.map((t) => (t.name === "reviewmaps-server" ? { ...t, namespace: "elsewhere" } : t));
        const settings = resolve("prod", { scrape });
        assert.deepEqual(undeclaredSloJobWarnings(settings), [
            'SLOs of reviewmaps-server select job "reviewmaps-server" in namespace reviewmaps, which no entry of scrape declares: ' +
                "unless a monitor the platform does not own scrapes it under that job, their SLIs are missing",
        ]);
    });

    describe("in a fleet, each monitor goes where its service runs", () => {
        const fleet = [
            { name: "hub-gke", location: "us-central1", role: "hub" },
            { name: "edge-a", location: "us-east1-b", role: "spoke" },
            { name: "edge-b", location: "europe-west1", role: "spoke" },
        ];
        let plan: Plan;
        before(async function () {
            this.timeout(180_000);
            plan = await planVariant("prod", {
                set: {
                    clusters: fleet,
                    fleet: { hub: { host: "fleet.hub.acme-corp.example" } },
                    certManager: { enabled: true },
                    scrape: [target({ name: "api", clusters: ["edge-a", "edge-b"] }), target({ name: "admin", selector: { app: "admin" } })],
                    slos: [],
                },
            });
        });

        it("places an entry on its clusters and one without clusters, and the cert-manager preset, on the hub", () => {
            const monitors = plan.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.name.includes("-scrape-"));
            assert.deepEqual(
                monitors.map((m) => [m.name, m.provider]),
                [
                    ["edge-a-scrape-api", "edge-a-k8s"],
                    ["edge-b-scrape-api", "edge-b-k8s"],
                    ["hub-gke-scrape-admin", "hub-gke-k8s"],
                    ["hub-gke-scrape-cert-manager", "hub-gke-k8s"],
                ],
            );
        });

        it("warns when an SLO runs on a cluster where no entry of its job is placed", () => {
            const settings = resolve("prod", {
                clusters: fleet,
                fleet: { hub: { host: "fleet.hub.acme-corp.example" } },
                scrape: [target({ name: "api", clusters: ["edge-a"] })],
                slos: [
                    {
                        service: "api",
                        owner: "shop",
                        runbookUrl: "https://example.com/runbook",
                        clusters: ["edge-a", "edge-b"],
                        objectives: [{ name: "availability", kind: "availability", target: 99.5, metric: "http_requests_total", selector: { namespace: "shop", job: "api" }, errorSelector: { code: "5.." } }],
                    },
                ],
            });
            assert.deepEqual(undeclaredSloJobWarnings(settings), [
                'SLOs of api run on edge-b, where no scrape entry of job "api" in namespace shop is placed (its clusters): there their SLIs are missing unless another monitor scrapes it',
            ]);
        });
    });

    describe("refuses, naming the exact key", () => {
        const cases: { name: string; scrape: unknown[]; key: string; expected: RegExp }[] = [
            { name: "a duplicate job name", scrape: [target(), target({ namespace: "other" })], key: "scrape[1].name", expected: /no other scrape target/ },
            { name: "a port name no Service can have", scrape: [target({ port: "HTTP_metrics" })], key: "scrape[0].port", expected: /port name/ },
            { name: "a container port name over 15 characters", scrape: [target({ kind: "pod", port: "http-metrics-port" })], key: "scrape[0].port", expected: /at most 15/ },
            { name: "an allow-list regex RE2 refuses", scrape: [target({ metricAllowList: ["http_.*", "(?!go_).*"] })], key: "scrape[0].metricAllowList[1]", expected: /RE2/ },
            { name: "an unknown kind", scrape: [target({ kind: "endpoints" })], key: "scrape[0].kind", expected: /"service" \| "pod"/ },
            { name: "an empty selector", scrape: [target({ selector: {} })], key: "scrape[0].selector", expected: /at least one label/ },
            { name: "a misspelt key", scrape: [target({ intervall: "15s" })], key: "scrape[0].intervall", expected: /did you mean "interval"/ },
            { name: "a cluster the stack does not have", scrape: [target({ clusters: ["prod-gke", "prod-eu"] })], key: "scrape[0].clusters[1]", expected: /a cluster of this stack \(prod-gke\)/ },
            { name: "an empty cluster list", scrape: [target({ clusters: [] })], key: "scrape[0].clusters", expected: /at least one cluster name/ },
            { name: "an interval that lets series go stale", scrape: [target({ interval: "5m" })], key: "scrape[0].interval", expected: /"2m"/ },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const lines = refusedKeys({ scrape: c.scrape });
                assert.deepEqual([...lines.keys()], [`${NS}:${c.key}`]);
                assert.match(lines.get(`${NS}:${c.key}`)!, c.expected);
            });
        }

        it("an allow-list that drops the series an SLO of that job reads", () => {
            const prod = resolve("prod");
            const scrape = prod.scrape.map((t) => (t.name === "ojeomneo-server" ? { ...t, metricAllowList: ["http_server_requests_seconds_(count|sum)"] } : t));
            const lines = refusedKeys({ scrape });
            assert.deepEqual([...lines.keys()], [`${NS}:scrape[0].metricAllowList`]);
            // The availability SLO reads _count (kept); the latency SLO also reads _bucket.
            assert.match(lines.get(`${NS}:scrape[0].metricAllowList`)!, /keep http_server_requests_seconds_bucket, which SLO slos\[0\]\.objectives\[1\]/);
        });

        it("and the plan declares nothing", async function () {
            this.timeout(120_000);
            const registered: string[] = [];
            await assert.rejects(
                planStack("prod", {
                    config: stackConfig("prod", { set: { scrape: [target({ kind: "daemon" })] } }),
                    secretKeys: [],
                    onRegistered: (r) => registered.push(`${r.type} ${r.name}`),
                }),
                (err: unknown) => err instanceof ConfigError && err.message.includes(`${NS}:scrape[0].kind`),
            );
            // Only the stack itself, which Pulumi registers before the program reads its config.
            assert.deepEqual(registered.filter((r) => !r.startsWith("pulumi:pulumi:Stack ")), []);
        });
    });
});
