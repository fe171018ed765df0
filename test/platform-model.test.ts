// The platform model (components/platform/model.ts): what runs on which cluster and where its signals
// and alerts go, per backend and fleet shape, written out by hand; the plan installs exactly the
// releases it lists, and the offline plan writes it as model.json.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHARTS } from "../components/charts/pins";
import { ModelLedger, releaseInstaller, secretCreator } from "../components/cluster/context";
import { dataLoss } from "../components/data-loss/compare";
import { dataInventory } from "../components/data-loss/inventory";
import { resolvePlatform, type ClusterModel } from "../components/platform/model";
import type { WorkloadModel } from "../components/platform/workloads";
import { writePlan } from "../tools/offline/plan";
import { planVariant } from "./support/program";
import type { K8sObject } from "./support/rendered";
import { planCase, renderedStack, RENDERED_STACKS, SECRETS } from "./support/rendered-stacks";
import { resolveStack } from "./support/stack-settings";

const HOST = "fleet.hub.acme-corp.example";
const FLEET = [
    { name: "hub-gke", location: "us-central1", role: "hub" },
    { name: "edge-a", location: "us-east1-b", role: "spoke" },
    { name: "edge-b", location: "europe-west1", role: "spoke" },
];
const fleet = { clusters: FLEET, fleet: { hub: { host: HOST } } };
const names = (c: ClusterModel) => c.releases.map((r) => `${r.namespace}/${r.release} ${r.chart.chart}`);

const COLLECTORS = [
    "monitoring/kube-prometheus-stack kube-prometheus-stack",
    "argocd/argocd argo-cd",
    "logging/alloy-logs alloy",
    "logging/alloy-events alloy",
    "tracing/otel-gateway opentelemetry-collector",
    "tracing/opentelemetry-operator opentelemetry-operator",
];
const HUB_STORES = ["logging/loki loki", "tracing/tempo tempo", "monitoring/prometheus-blackbox-exporter prometheus-blackbox-exporter"];

describe("platform model", () => {
    it("prod (Mimir, one cluster): the collectors, Mimir with the rules' loader, the stores, the probes' exporter and one exporter per Redis", () => {
        const model = resolvePlatform(resolveStack("prod"));
        assert.equal(model.hub, "prod-gke");
        assert.deepEqual(model.spokes, []);
        assert.equal(model.tenant, "prod");
        assert.deepEqual(model.metrics, { kind: "mimir", query: "http://mimir-gateway.monitoring.svc:80/prometheus", rulerEvaluatesSlos: true });
        assert.deepEqual(names(model.clusters[0]), [
            ...COLLECTORS,
            "monitoring/mimir mimir-distributed",
            "monitoring/alloy-rules alloy",
            ...HUB_STORES,
            "ojeomneo/ojeomneo-redis-exporter prometheus-redis-exporter",
            "reviewmaps/reviewmaps-redis-exporter prometheus-redis-exporter",
        ]);
        assert.deepEqual(model.clusters[0].alerts, { via: "local", alertmanager: "http://kube-prometheus-stack-alertmanager.monitoring.svc:9093" });
    });

    it("a fleet on Thanos: spokes run the collectors only and send everything, alerts included, through the hub's gateway", () => {
        const model = resolvePlatform(resolveStack("prod", { ...fleet, metricsBackend: "thanos" }));
        assert.deepEqual(model.spokes, ["edge-a", "edge-b"]);
        assert.deepEqual(model.metrics, { kind: "thanos", query: "http://thanos-query-frontend.monitoring.svc:9090", rulerEvaluatesSlos: true });
        const [hub, edgeA] = model.clusters;
        assert.deepEqual(names(hub).slice(6, 7), ["monitoring/thanos thanos"]);
        assert.deepEqual(names(edgeA), COLLECTORS);
        assert.deepEqual(edgeA.alerts, { via: "fleet-gateway", host: HOST, port: 443 });
        // Thanos: the spoke's sidecar uploads blocks; logs and traces cross to the gateway with credentials.
        assert.deepEqual(edgeA.signals, {
            crossCluster: true,
            tenant: "prod",
            metricsRemoteWrite: null,
            logsPush: `https://${HOST}/loki/api/v1/push`,
            tracesOtlpGrpc: `${HOST}:4317`,
            logsOtlpHttp: `https://${HOST}/otlp`,
            credentials: { username: "edge-a" },
        });
    });

    it("puts each Secret only where it is used: the receivers' keys and the gateway's on the hub, a spoke's credentials on that spoke", () => {
        const model = resolvePlatform(resolveStack("prod", { ...fleet, metricsBackend: "thanos" }));
        const secrets = (c: ClusterModel) => c.secrets.map((s) => `${s.namespace}/${s.name}`);
        assert.deepEqual(secrets(model.clusters[0]), [
            "monitoring/grafana-admin",
            "monitoring/alertmanager-platform-config",
            "monitoring/thanos-objstore",
            "monitoring/fleet-gateway-users",
            "monitoring/fleet-gateway-tls",
        ]);
        for (const spoke of model.clusters.slice(1)) {
            assert.deepEqual(secrets(spoke), ["monitoring/thanos-objstore", "monitoring/fleet-hub-credentials", "logging/fleet-hub-credentials", "tracing/fleet-hub-credentials"]);
        }
        // One cluster on Prometheus: Grafana's and Alertmanager's only.
        assert.deepEqual(secrets(resolvePlatform(resolveStack("dev")).clusters[0]), ["monitoring/grafana-admin", "monitoring/alertmanager-platform-config"]);
    });

    it("names each cluster's Workload Identity accounts with their only bucket access: a spoke's sidecar may upload, never delete", () => {
        const model = resolvePlatform(resolveStack("prod", { ...fleet, metricsBackend: "thanos" }));
        const accounts = (c: ClusterModel) => c.serviceAccounts.map((a) => `${a.namespace}/${a.name} as ${a.identity}: ${a.grants.map((g) => `${g.access} ${g.store}`).join(", ")}`);
        assert.deepEqual(model.buckets.map((b) => b.key), ["thanos-blocks", "loki-chunks", "loki-ruler", "tempo-traces"]);
        assert.deepEqual(accounts(model.clusters[0]), [
            "monitoring/thanos as thanos: admin thanos-blocks",
            "monitoring/prometheus as thanos-uploader: upload thanos-blocks",
            "monitoring/thanos-ruler as thanos-uploader: upload thanos-blocks",
            "monitoring/thanos-storegateway as thanos-reader: read thanos-blocks",
            "logging/loki as loki: admin loki-chunks, admin loki-ruler",
            "tracing/tempo as tempo: admin tempo-traces",
        ]);
        for (const spoke of model.clusters.slice(1)) assert.deepEqual(accounts(spoke), ["monitoring/prometheus as thanos-uploader: upload thanos-blocks"]);
        // The minimal tier keeps everything on disks: no bucket, no identity.
        const dev = resolvePlatform(resolveStack("dev"));
        assert.deepEqual([dev.buckets, dev.clusters[0].serviceAccounts], [[], []]);
    });

    it("places each PrometheusRule with its evaluator: SLO rules where their service runs, the long windows in the hub's Thanos Ruler", () => {
        const rules = (s: ReturnType<typeof resolveStack>) =>
            resolvePlatform(s).clusters.map((c) => [c.name, c.rules.map((r) => `${r.name} (${r.evaluator})`)]);
        assert.deepEqual(rules(resolveStack("prod", { ...fleet, metricsBackend: "thanos" })), [
            [
                "hub-gke",
                [
                    "slo-ojeomneo-server (prometheus)",
                    "slo-ojeomneo-server-long-term (thanos-ruler)",
                    "slo-reviewmaps-server (prometheus)",
                    "slo-reviewmaps-server-long-term (thanos-ruler)",
                    "platform-self-monitoring (prometheus)",
                ],
            ],
            ["edge-a", ["platform-self-monitoring (prometheus)"]],
            ["edge-b", ["platform-self-monitoring (prometheus)"]],
        ]);
        // A service that runs on edge-a only: its SLI ratios and alerts there, its period recordings still in the hub's ruler.
        const prod = resolveStack("prod");
        const slos = prod.slos.map((s) => (s.service === "reviewmaps-server" ? { ...s, clusters: ["edge-a"] } : s));
        const moved = rules(resolveStack("prod", { ...fleet, metricsBackend: "thanos", slos }));
        assert.deepEqual(moved[1], ["edge-a", ["slo-reviewmaps-server (prometheus)", "platform-self-monitoring (prometheus)"]]);
        assert.deepEqual(moved[2], ["edge-b", ["platform-self-monitoring (prometheus)"]]);
        assert.ok((moved[0][1] as string[]).includes("slo-reviewmaps-server-long-term (thanos-ruler)"));
        assert.ok(!(moved[0][1] as string[]).includes("slo-reviewmaps-server (prometheus)"));
    });

    it("lists each release's volumes: a spoke's Prometheus only; the hub's Alertmanager, Grafana, Thanos Ruler and stores", () => {
        const s = resolveStack("prod", { ...fleet, metricsBackend: "thanos" });
        const model = resolvePlatform(s);
        const volumes = (c: ClusterModel) => c.releases.filter((r) => r.volumes.length > 0).map((r) => [r.release, r.volumes.map((v) => `${v.name} ${v.sizeGi}Gi`)]);
        assert.deepEqual(volumes(model.clusters[0]), [
            ["kube-prometheus-stack", [`prometheus ${s.prometheus.storageGi}Gi`, `alertmanager ${s.alertmanager.storageGi}Gi`, `grafana ${s.grafana.storageGi}Gi`, `thanos-ruler ${s.thanos.rulerStorageGi}Gi`]],
            ["thanos", [`store-gateway ${s.thanos.storeGatewayStorageGi}Gi`, `compactor ${s.thanos.compactorStorageGi}Gi`]],
            ["loki", ["loki 100Gi"]],
            ["tempo", ["tempo 50Gi"]],
        ]);
        assert.deepEqual(volumes(model.clusters[1]), [["kube-prometheus-stack", [`prometheus ${s.prometheus.storageGi}Gi`]]]);
    });

    it("states every disk Helm renders from the plan's values, with its size, replicas and StorageClass: the cost estimate and the data-loss guard miss none", async function () {
        this.timeout(180_000);
        // Hand-written readers of the claims: a StatefulSet's volumeClaimTemplates, one per replica;
        // a PersistentVolumeClaim of its own; the operator's pods (Prometheus, Alertmanager, Thanos
        // Ruler) from the volumeClaimTemplate of their custom resource's storage, one per pod.
        const disk = (pods: number, template: any) => `${pods} x ${template.spec.resources.requests.storage} on ${template.spec.storageClassName}`;
        const rendered = (objects: K8sObject[]): string[] =>
            objects.flatMap((o): string[] => {
                const spec = o.spec ?? {};
                switch (o.kind) {
                    case "StatefulSet":
                        return (spec.volumeClaimTemplates ?? []).map((t: any) => disk(spec.replicas ?? 1, t));
                    case "PersistentVolumeClaim":
                        return [disk(1, o)];
                    case "Prometheus":
                    case "Alertmanager":
                    case "ThanosRuler": {
                        const template = spec.storage?.volumeClaimTemplate;
                        return template ? [disk((spec.replicas ?? 1) * (spec.shards ?? 1), template)] : [];
                    }
                    default:
                        return [];
                }
            });
        let compared = 0;
        for (const key of ["dev", "prod", "thanos", "fleet"] as const) {
            const { plan, releases } = await renderedStack(key);
            const model = plan.model;
            for (const r of releases) {
                const cluster = model.clusters.find((c) => c.name === r.cluster)!;
                const release = cluster.releases.find((m) => `${r.cluster}-${m.release}` === r.release.resource)!;
                const stated = release.volumes.map((v) => `${v.replicas} x ${v.sizeGi}Gi on ${cluster.storageClass}`).sort();
                // Mimir's chart is not available to render here: each component's persistentVolume in
                // its values, times the component's replicas (a weaker check, named so).
                const actual = r.skipped
                    ? Object.values(r.release.values as Record<string, any>)
                          .filter((v) => v?.persistentVolume?.enabled)
                          .map((v) => `${v.replicas} x ${v.persistentVolume.size} on ${v.persistentVolume.storageClass}`)
                    : rendered(r.objects);
                assert.deepEqual(stated, actual.sort(), `${key}: ${r.release.resource}`);
                compared += actual.length;
            }
            // The program creates no claim outside a release.
            assert.deepEqual(plan.resources.filter((x) => x.type === "kubernetes:core/v1:PersistentVolumeClaim"), [], key);
        }
        // dev 5, prod 5 + Mimir's 4, prod on Thanos 8, the fleet 5 + Mimir's 4 + 2 spokes' Prometheus.
        assert.equal(compared, 33);
    });

    it("states every pod Helm renders from the plan's values, and the fleet gateway the plan declares, with each container's requests", async function () {
        this.timeout(180_000);
        // Hand-written readers of what the scheduler will see: a Deployment's or StatefulSet's replicas,
        // a DaemonSet's pod per node, and the prometheus-operator's pods (Prometheus, Alertmanager,
        // Thanos Ruler) from their custom resources plus the config reloader the operator adds to each,
        // with the requests its arguments set. Jobs run to completion and are left out, as in the model.
        const milli = (q: string | undefined) => (q === undefined ? 0 : q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
        const mi = (q: string | undefined) => (q === undefined ? 0 : Number(q.slice(0, -2)) * ({ Mi: 1, Gi: 1024 } as Record<string, number>)[q.slice(-2)]);
        const pod = (pods: number | "per-node", requests: readonly ({ cpu?: string; memory?: string } | undefined)[]) =>
            `${pods} x ${requests.reduce((a, r) => a + milli(r?.cpu), 0)}m ${requests.reduce((a, r) => a + mi(r?.memory), 0)}Mi`;
        const rendered = (objects: K8sObject[]): string[] => {
            const args: string[] = objects.find((o) => o.kind === "Deployment" && o.metadata.name.endsWith("-operator") && o.spec.template.spec.containers[0].args?.some((a: string) => a.startsWith("--config-reloader-cpu-request=")))?.spec.template.spec.containers[0].args ?? [];
            const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
            const reloader = { cpu: arg("config-reloader-cpu-request"), memory: arg("config-reloader-memory-request") };
            return objects.flatMap((o): string[] => {
                const spec = o.spec ?? {};
                switch (o.kind) {
                    case "Deployment":
                    case "StatefulSet":
                    case "DaemonSet":
                        return [pod(o.kind === "DaemonSet" ? "per-node" : (spec.replicas ?? 1), spec.template.spec.containers.map((c: any) => c.resources?.requests))];
                    case "Prometheus":
                        return [pod((spec.replicas ?? 1) * (spec.shards ?? 1), [spec.resources?.requests, reloader, ...(spec.thanos ? [spec.thanos.resources?.requests] : [])])];
                    case "Alertmanager":
                    case "ThanosRuler":
                        return [pod(spec.replicas ?? 1, [spec.resources?.requests, reloader])];
                    default:
                        return [];
                }
            });
        };
        const stated = (workloads: readonly WorkloadModel[]) => workloads.map((w) => pod(w.pods, w.containers)).sort();
        let compared = 0;
        for (const key of ["dev", "prod", "thanos", "fleet"] as const) {
            const { plan, releases } = await renderedStack(key);
            const model = plan.model;
            for (const r of releases) {
                const release = model.clusters.find((c) => c.name === r.cluster)!.releases.find((m) => `${r.cluster}-${m.release}` === r.release.resource)!;
                // Mimir's chart is not available to render here (test/support/charts.ts): its values
                // are read instead, each component's replicas and requests (a weaker check, named so).
                const actual = r.skipped
                    ? Object.values(r.release.values as Record<string, any>)
                          .filter((v) => typeof v?.replicas === "number" && v.resources?.requests)
                          .map((v) => pod(v.replicas, [v.resources.requests]))
                    : rendered(r.objects);
                assert.deepEqual(stated(release.workloads), actual.sort(), `${key}: ${r.release.resource}`);
                compared++;
            }
            for (const cluster of model.clusters) {
                const own = plan.resources
                    .filter((x) => x.type === "kubernetes:apps/v1:Deployment" && x.provider === `${cluster.name}-k8s`)
                    .map((x) => (x.inputs as any).spec)
                    .map((spec) => pod(spec.replicas ?? 1, spec.template.spec.containers.map((c: any) => c.resources?.requests)));
                assert.deepEqual(stated(cluster.ownWorkloads), own.sort(), `${key}: ${cluster.name}'s own Deployments`);
            }
        }
        // Releases: dev 9, prod 13 (Mimir's by its values), prod on Thanos 12, the fleet 13 + 2 x 6.
        assert.equal(compared, 59);
    });

    it("the data-loss inventory takes its volumes from it, and the spokes' Alertmanager disk it no longer records is no loss", () => {
        const s = resolveStack("prod", fleet);
        const next = dataInventory(s, resolvePlatform(s));
        const spoke = next.clusters.find((c) => c.name === "edge-a")!;
        assert.deepEqual(spoke.releases, [{ name: "kube-prometheus-stack", namespace: "monitoring", chart: "kube-prometheus-stack", volumes: [{ name: "prometheus", sizeGi: s.prometheus.storageGi }] }]);
        // What earlier plans recorded for a spoke (an Alertmanager disk it never had).
        const previous = structuredClone(next);
        previous.clusters.find((c) => c.name === "edge-a")!.releases[0].volumes.push({ name: "alertmanager", sizeGi: s.alertmanager.storageGi });
        assert.deepEqual(dataLoss(previous, next), []);
    });

    it("dev (Prometheus): no store release; with spokes the hub's Prometheus is the fleet's receiver", () => {
        const single = resolvePlatform(resolveStack("dev"));
        assert.deepEqual(single.metrics, { kind: "prometheus", fleetReceiver: false });
        assert.deepEqual(names(single.clusters[0]), [...COLLECTORS, ...HUB_STORES]);
        assert.deepEqual(resolvePlatform(resolveStack("dev", fleet)).metrics, { kind: "prometheus", fleetReceiver: true });
    });

    it("is what the plan creates: each cluster's releases and Secrets in a fleet on Thanos and on Mimir", async function () {
        this.timeout(180_000);
        for (const set of [{ ...fleet, metricsBackend: "thanos" }, fleet]) {
            const plan = await planVariant("prod", { set });
            const model = plan.model;
            for (const cluster of model.clusters) {
                const secrets = plan.resources
                    .filter((r) => r.type === "kubernetes:core/v1:Secret" && r.provider === `${cluster.name}-k8s`)
                    .map((r) => `${(r.inputs as any).metadata.namespace}/${(r.inputs as any).metadata.name}`);
                assert.deepEqual(secrets.sort(), cluster.secrets.map((s) => `${s.namespace}/${s.name}`).sort(), `${cluster.name} Secrets`);
                const planned = plan.releases.filter((r) => r.resource.startsWith(`${cluster.name}-`)).map((r) => `${r.namespace}/${r.resource.slice(cluster.name.length + 1)}`);
                assert.deepEqual(planned.sort(), cluster.releases.map((r) => `${r.namespace}/${r.release}`).sort(), cluster.name);
            }
        }
    });

    it("refuses a release the model does not list, or in another namespace or chart, and a Secret it does not list", () => {
        const cluster = { name: "c", location: "us-central1-a", role: "hub", project: "p" } as const;
        const model: ClusterModel = {
            name: "c",
            role: "hub",
            storageClass: "observability-pd-balanced",
            releases: [{ release: "loki", namespace: "logging", chart: CHARTS.loki, volumes: [], workloads: [] }],
            ownWorkloads: [],
            secrets: [],
            serviceAccounts: [],
            rules: [],
            signals: resolvePlatform(resolveStack("dev")).clusters[0].signals,
            alerts: { via: "local", alertmanager: "http://am" },
        };
        const install = releaseInstaller(cluster as never, new ModelLedger("c", model), {}, [], {}, () => undefined);
        const args = { releaseName: "loki", namespace: "logging", chart: CHARTS.loki, values: {}, timeoutSeconds: 60 };
        assert.throws(() => install({ ...args, releaseName: "tempo", chart: CHARTS.tempo }), /release tempo \(tempo in logging\) on c is not as the platform model lists it/);
        assert.throws(() => install({ ...args, namespace: "monitoring" }), /not as the platform model lists it/);
        assert.throws(() => install({ ...args, chart: CHARTS.alloy }), /not as the platform model lists it/);
        const secret = secretCreator(new ModelLedger("c", model), {}, {});
        assert.throws(() => secret("c-x", { name: "alertmanager-platform-config", namespace: "monitoring", type: "Opaque", stringData: {} }), /Secret monitoring\/alertmanager-platform-config on c is not one the platform model lists/);
        // And what it lists must all be there when the cluster is done.
        const listed = new ModelLedger("c", { ...model, secrets: [{ namespace: "monitoring", name: "grafana-admin", holds: "" }] });
        assert.deepEqual(listed.missing(), ["loki", "Secret monitoring/grafana-admin"]);
        listed.claimRelease("loki", "logging", CHARTS.loki);
        listed.claimSecret("monitoring", "grafana-admin");
        assert.deepEqual(listed.missing(), []);
        // Each once.
        assert.throws(() => listed.claimRelease("loki", "logging", CHARTS.loki), /release loki \(loki in logging\) on c is installed twice/);
        assert.throws(() => listed.claimSecret("monitoring", "grafana-admin"), /Secret monitoring\/grafana-admin on c is created twice/);
    });

    it("is written by the offline plan as model.json, without a secret", async function () {
        this.timeout(120_000);
        // Every secret config key set, in a fleet (whose spokes get generated passwords).
        const plan = await planCase({ ...RENDERED_STACKS.secrets, variant: { set: fleet } });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-"));
        try {
            writePlan(plan, dir);
            const doc = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
            assert.equal(doc.hub, "hub-gke");
            assert.deepEqual(doc.clusters[1].releases[0], {
                release: "kube-prometheus-stack",
                namespace: "monitoring",
                chart: "kube-prometheus-stack@88.5.3",
                repository: "https://prometheus-community.github.io/helm-charts",
                volumes: [{ name: "prometheus", sizeGi: 50, replicas: 2 }],
                // A spoke's: no Alertmanager or Grafana; each Prometheus pod with the operator's config reloader.
                workloads: [
                    {
                        name: "prometheus",
                        pods: 2,
                        containers: [
                            { resources: "prometheus", cpu: "500m", memory: "3Gi" },
                            { resources: "prometheusConfigReloader", cpu: "10m", memory: "32Mi" },
                        ],
                    },
                    { name: "prometheus-operator", pods: 1, containers: [{ resources: "prometheusOperator", cpu: "100m", memory: "128Mi" }] },
                    { name: "kube-state-metrics", pods: 1, containers: [{ resources: "kubeStateMetrics", cpu: "50m", memory: "128Mi" }] },
                    { name: "node-exporter", pods: "per-node", containers: [{ resources: "nodeExporter", cpu: "30m", memory: "32Mi" }] },
                ],
            });
            assert.deepEqual(doc.clusters[1].ownWorkloads, []);
            assert.deepEqual(doc.clusters[0].ownWorkloads, [{ name: "fleet-gateway", pods: 2, containers: [{ resources: "fleetGateway", cpu: "100m", memory: "64Mi" }] }]);
            assert.deepEqual(doc.clusters[1].alerts, { via: "fleet-gateway", host: HOST, port: 443 });
            const text = JSON.stringify(doc);
            for (const value of [SECRETS.pagerdutyRoutingKey, "renderedalerts", "renderedmonitoring", SECRETS.heartbeatUrl, "BEGIN"]) assert.ok(!text.includes(value), value);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
