// Annotation discovery (`scrapeAnnotations`): one ScrapeConfig per cluster that the operator accepts,
// whose relabelings a real Prometheus turns into the targets a user expects from the annotations;
// where it is placed; and the stack keys it refuses.
import * as assert from "node:assert/strict";
import * as http from "node:http";
import { annotationScrapeConfig, type Relabeling, type ScrapeConfigObject } from "../components/metrics/scrape-annotations";
import { undeclaredSloJobWarnings } from "../components/metrics/scrape-targets";
import type { Plan } from "../tools/offline/plan";
import { freePort, startPrometheus, type LivePrometheus } from "./support/live-prometheus";
import { planVariant } from "./support/program";
import { loadModels, objectProblems, type K8sObject } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const NS = "observability-platform";
const SCRAPE_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:ScrapeConfig";

async function validate(objects: K8sObject[]): Promise<string[]> {
    await loadModels(objects);
    return objects.flatMap((o) => objectProblems(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`));
}

describe("annotation discovery", () => {
    let devPlan: Plan;
    let prodPlan: Plan;
    before(async function () {
        this.timeout(180_000);
        devPlan = await planVariant("dev");
        prodPlan = await planVariant("prod");
    });

    it("dev declares one ScrapeConfig in the monitoring namespace, after the chart that ships its CRD; prod, where it is off, none", () => {
        const dev = devPlan.resources.filter((r) => r.type === SCRAPE_CONFIG);
        assert.deepEqual(
            dev.map((r) => [r.name, r.provider, r.dependsOn]),
            [["dev-gke-annotation-discovery", "dev-gke-k8s", ["dev-gke-kube-prometheus-stack"]]],
        );
        assert.deepEqual(dev[0].inputs.metadata, { name: "annotated-pods", namespace: "monitoring", labels: { "app.kubernetes.io/part-of": "observability-platform" } });
        const spec = dev[0].inputs.spec as ScrapeConfigObject["spec"];
        assert.deepEqual(spec.kubernetesSDConfigs, [{ role: "Pod" }]);
        // The minimal tier's per-target limits and the stack's scrape interval.
        assert.equal(spec.sampleLimit, 10000);
        assert.equal(spec.labelLimit, 20);
        assert.equal(spec.scrapeInterval, "30s");
        assert.deepEqual(prodPlan.resources.filter((r) => r.type === SCRAPE_CONFIG), []);
    });

    it("drops the system and platform namespaces, and a stack's own exclusions", () => {
        const drop = (spec: { relabelings: Relabeling[] }) => spec.relabelings.filter((r) => r.sourceLabels?.[0] === "__meta_kubernetes_namespace" && r.action === "drop");
        const dev = devPlan.resources.find((r) => r.type === SCRAPE_CONFIG)!;
        assert.deepEqual(drop(dev.inputs.spec as ScrapeConfigObject["spec"]), [
            {
                sourceLabels: ["__meta_kubernetes_namespace"],
                regex: "kube-system|kube-public|kube-node-lease|gke-managed-.*|gke-gmp-system|gmp-system|gmp-public|monitoring|logging|tracing|argocd",
                action: "drop",
            },
        ]);
        const excluding = annotationScrapeConfig(resolveStack("dev", { scrapeAnnotations: { enabled: true, excludeNamespaces: ["batch", "sandbox"] } }), "dev-gke")!;
        assert.match(drop(excluding.spec)[0].regex!, /\|argocd\|batch\|sandbox$/);
        // Listed namespaces: Prometheus watches only those, so nothing needs dropping.
        const listed = annotationScrapeConfig(resolveStack("dev", { scrapeAnnotations: { enabled: true, namespaces: ["shop", "batch"], interval: "15s" } }), "dev-gke")!;
        assert.deepEqual(listed.spec.kubernetesSDConfigs, [{ role: "Pod", namespaces: { names: ["shop", "batch"] } }]);
        assert.deepEqual(drop(listed.spec), []);
        assert.equal(listed.spec.scrapeInterval, "15s");
    });

    it("validates against the ScrapeConfig CRD kube-prometheus-stack installs, and a broken one does not", async () => {
        const object = devPlan.resources.find((r) => r.type === SCRAPE_CONFIG)!.inputs as K8sObject;
        assert.deepEqual(await validate([object]), []);
        const broken = structuredClone(object);
        broken.spec.kubernetesSDConfigs[0].role = "pod";
        broken.spec.relabelings[0].action = "set";
        assert.equal((await validate([broken])).length, 2);
    });

    describe("in a fleet", () => {
        const fleet = [
            { name: "hub-gke", location: "us-central1", role: "hub" },
            { name: "edge-a", location: "us-east1-b", role: "spoke" },
            { name: "edge-b", location: "europe-west1", role: "spoke" },
        ];
        const base = { clusters: fleet, fleet: { hub: { host: "fleet.hub.acme-corp.example" } } };

        it("each cluster's Prometheus discovers its own pods: a ScrapeConfig on every cluster by default", async function () {
            this.timeout(180_000);
            const plan = await planVariant("dev", { set: { ...base, scrapeAnnotations: { enabled: true } } });
            assert.deepEqual(
                plan.resources.filter((r) => r.type === SCRAPE_CONFIG).map((r) => [r.name, r.provider]),
                [
                    ["edge-a-annotation-discovery", "edge-a-k8s"],
                    ["edge-b-annotation-discovery", "edge-b-k8s"],
                    ["hub-gke-annotation-discovery", "hub-gke-k8s"],
                ],
            );
        });

        it("or on the listed clusters only", () => {
            const settings = resolveStack("dev", { ...base, scrapeAnnotations: { enabled: true, clusters: ["edge-b"] } });
            assert.deepEqual(
                fleet.map((c) => annotationScrapeConfig(settings, c.name) !== undefined),
                [false, false, true],
            );
        });

        it("an SLO of a discovered job is not warned about where discovery runs, and is where it does not", () => {
            const slo = {
                service: "api",
                owner: "shop",
                runbookUrl: "https://example.com/runbook",
                clusters: ["edge-a", "edge-b"],
                objectives: [{ name: "availability", kind: "availability", target: 99.5, metric: "http_requests_total", selector: { job: "shop/api" }, errorSelector: { code: "5.." } }],
            };
            // prod: the long-term tier, whose store keeps the SLO windows.
            assert.deepEqual(undeclaredSloJobWarnings(resolveStack("prod", { ...base, slos: [slo], scrapeAnnotations: { enabled: true } })), []);
            assert.deepEqual(undeclaredSloJobWarnings(resolveStack("prod", { ...base, slos: [slo], scrapeAnnotations: { enabled: true, clusters: ["edge-a"] } })), [
                'SLOs of api select job "shop/api", which no entry of scrape declares: unless a monitor the platform does not own scrapes it under that job, their SLIs are missing',
            ]);
        });
    });

    describe("a real Prometheus, given the pods Kubernetes discovery would report", () => {
        // What the operator renders from the ScrapeConfig (per the CRD): a job of its own naming, the
        // spec's `jobName` as the job label, then the spec's relabelings and limits. Its fields map
        // one to one onto Prometheus' (sourceLabels -> source_labels, ...).
        const snake = (r: Relabeling) =>
            Object.fromEntries(
                Object.entries({ source_labels: r.sourceLabels, separator: r.separator, regex: r.regex, target_label: r.targetLabel, replacement: r.replacement, action: r.action }).filter(
                    ([, v]) => v !== undefined,
                ),
            );
        // Labels of one pod-role target: one per declared container port, as Kubernetes SD reports them.
        const pod = (o: { ns: string; name: string; ip: string; ports: number[]; phase?: string; annotations?: Record<string, string>; labels?: Record<string, string> }) =>
            o.ports.map((port) => ({
                targets: [o.ip.includes(":") ? `[${o.ip}]:${port}` : `${o.ip}:${port}`],
                labels: {
                    __meta_kubernetes_namespace: o.ns,
                    __meta_kubernetes_pod_name: o.name,
                    __meta_kubernetes_pod_ip: o.ip,
                    __meta_kubernetes_pod_phase: o.phase ?? "Running",
                    __meta_kubernetes_pod_container_port_number: String(port),
                    ...Object.fromEntries(Object.entries(o.annotations ?? {}).map(([k, v]) => [`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`, v])),
                    ...Object.fromEntries(Object.entries(o.labels ?? {}).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`, v])),
                },
            }));
        type Target = { labels: Record<string, string>; scrapeUrl: string; health: string };
        let prometheus: LivePrometheus;
        let server: http.Server;
        let port: number;
        let active: Target[];
        let dropped: { discoveredLabels: Record<string, string> }[];

        before(async function () {
            this.timeout(60_000);
            port = await freePort();
            server = http.createServer((req, res) => {
                res.writeHead(req.url === "/stats" ? 200 : 404, { "content-type": "text/plain; version=0.0.4" });
                res.end(req.url === "/stats" ? "demo_requests_total 3\n" : "");
            });
            await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
            const config = annotationScrapeConfig(resolveStack("dev", { scrapeAnnotations: { enabled: true, interval: "1s", excludeNamespaces: ["sandbox"] } }), "dev-gke")!;
            const scrape = { "prometheus.io/scrape": "true" };
            prometheus = await startPrometheus({
                scrapeConfigs: [
                    {
                        job_name: "scrapeConfig/monitoring/annotated-pods",
                        scrape_interval: config.spec.scrapeInterval,
                        sample_limit: config.spec.sampleLimit,
                        label_limit: config.spec.labelLimit,
                        relabel_configs: [{ target_label: "job", replacement: config.spec.jobName }, ...config.spec.relabelings.map(snake)],
                        static_configs: [
                            // Served here: two container ports, the annotated one on the pod's IP, its path.
                            ...pod({ ns: "shop", name: "api-7d9f-x2", ip: "127.0.0.1", ports: [8080, 8081], annotations: { ...scrape, "prometheus.io/port": String(port), "prometheus.io/path": "/stats" }, labels: { "app.kubernetes.io/name": "api", app: "legacy-api" } }),
                            ...pod({ ns: "shop", name: "worker-0", ip: "10.1.2.3", ports: [9100], annotations: scrape, labels: { app: "worker" } }),
                            ...pod({ ns: "batch", name: "tls-0", ip: "fd00::5", ports: [80], annotations: { ...scrape, "prometheus.io/port": "8443", "prometheus.io/scheme": "https" } }),
                            // Not scraped.
                            ...pod({ ns: "shop", name: "shy-0", ip: "10.1.2.4", ports: [8080], labels: { app: "shy" } }),
                            ...pod({ ns: "shop", name: "typo-0", ip: "10.1.2.5", ports: [8080], annotations: { "prometheus.io/scrape": "True" } }),
                            ...pod({ ns: "shop", name: "job-1-abcde", ip: "10.1.2.6", ports: [8080], phase: "Succeeded", annotations: scrape }),
                            ...pod({ ns: "monitoring", name: "loki-0", ip: "10.1.2.7", ports: [3100], annotations: scrape }),
                            ...pod({ ns: "kube-system", name: "kube-dns-1", ip: "10.1.2.8", ports: [10054], annotations: scrape }),
                            ...pod({ ns: "gke-managed-system", name: "agent-1", ip: "10.1.2.9", ports: [8080], annotations: scrape }),
                            ...pod({ ns: "sandbox", name: "toy-0", ip: "10.1.2.10", ports: [8080], annotations: scrape }),
                        ],
                    },
                ],
            });
            // Discovery reaches the scrape manager after a few seconds; the served target is then scraped each second.
            const deadline = Date.now() + 30_000;
            for (;;) {
                const body = (await (await fetch(`${prometheus.url}/api/v1/targets?state=any`)).json()) as { data: { activeTargets: Target[]; droppedTargets: typeof dropped } };
                active = body.data.activeTargets;
                dropped = body.data.droppedTargets;
                if (active.some((t) => t.labels.job === "shop/api" && t.health === "up")) break;
                if (Date.now() > deadline) assert.fail(`no healthy shop/api target within 30 s: ${JSON.stringify(active)}`);
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
        });
        after(async () => {
            await prometheus?.stop();
            server?.close();
        });

        it("keeps one target per opted-in pod, at its annotated port, path and scheme, labelled job, namespace and pod", () => {
            const byJob = (a: Target, b: Target) => a.labels.job.localeCompare(b.labels.job);
            assert.deepEqual(
                [...active].sort(byJob).map((t) => [t.labels, t.scrapeUrl]),
                [
                    [{ instance: "[fd00::5]:8443", job: "annotated-pods", namespace: "batch", pod: "tls-0" }, "https://[fd00::5]:8443/metrics"],
                    [{ instance: `127.0.0.1:${port}`, job: "shop/api", namespace: "shop", pod: "api-7d9f-x2" }, `http://127.0.0.1:${port}/stats`],
                    [{ instance: "10.1.2.3:9100", job: "shop/worker", namespace: "shop", pod: "worker-0" }, "http://10.1.2.3:9100/metrics"],
                ],
            );
        });

        it("drops pods not opted in with exactly \"true\", finished pods, and the system, platform and excluded namespaces", () => {
            assert.deepEqual(dropped.map((t) => t.discoveredLabels.__meta_kubernetes_pod_name).sort(), ["agent-1", "job-1-abcde", "kube-dns-1", "loki-0", "shy-0", "toy-0", "typo-0"]);
        });

        it("scrapes the served pod: its series carry the discovered job", async () => {
            const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent("demo_requests_total")}`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
            assert.deepEqual(
                body.data.result.map((r) => r.metric),
                [{ __name__: "demo_requests_total", instance: `127.0.0.1:${port}`, job: "shop/api", namespace: "shop", pod: "api-7d9f-x2" }],
            );
        });
    });

    describe("refuses, naming the exact key", () => {
        const cases: { name: string; set: Record<string, unknown>; key: string; expected: RegExp }[] = [
            { name: "an enabled that is not a boolean", set: { scrapeAnnotations: { enabled: "yes" } }, key: "scrapeAnnotations.enabled", expected: /true or false/ },
            { name: "a cluster the stack does not have", set: { scrapeAnnotations: { enabled: true, clusters: ["prod-eu"] } }, key: "scrapeAnnotations.clusters[0]", expected: /a cluster of this stack \(prod-gke\)/ },
            { name: "a platform namespace to discover", set: { scrapeAnnotations: { enabled: true, namespaces: ["shop", "monitoring"] } }, key: "scrapeAnnotations.namespaces[1]", expected: /not the platform's own/ },
            { name: "a GKE system namespace to discover", set: { scrapeAnnotations: { enabled: true, namespaces: ["gke-managed-system"] } }, key: "scrapeAnnotations.namespaces[0]", expected: /GKE system/ },
            {
                name: "namespaces and excludeNamespaces together",
                set: { scrapeAnnotations: { enabled: true, namespaces: ["shop"], excludeNamespaces: ["batch"] } },
                key: "scrapeAnnotations.excludeNamespaces",
                expected: /nothing when namespaces is set/,
            },
            { name: "an interval that lets series go stale", set: { scrapeAnnotations: { enabled: true, interval: "5m" } }, key: "scrapeAnnotations.interval", expected: /"2m"/ },
            { name: "a misspelt key", set: { scrapeAnnotations: { enabled: true, namespace: ["shop"] } }, key: "scrapeAnnotations.namespace", expected: /did you mean "namespaces"/ },
            {
                name: "a scrape entry taking the fallback job",
                set: { scrapeAnnotations: { enabled: true }, scrape: [{ name: "annotated-pods", namespace: "shop", selector: { app: "x" }, port: "http" }], slos: [] },
                key: "scrape[0].name",
                expected: /other than "annotated-pods"/,
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const lines = refusedKeys(c.set);
                assert.deepEqual([...lines.keys()], [`${NS}:${c.key}`]);
                assert.match(lines.get(`${NS}:${c.key}`)!, c.expected);
            });
        }
    });
});
