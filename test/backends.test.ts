// The metrics backends' profiles (components/platform/backends.ts), as a user of each backend sees
// them in a fleet of a hub and a spoke: where each cluster's Prometheus sends its samples, what the
// hub's gateway forwards, which buckets the stack has, who evaluates the SLO rules and which alerts
// watch the store. Every expected value is written out by hand.
import * as assert from "node:assert/strict";
import type { Settings } from "../components/config/schema";
import { pushTargets } from "../components/fleet/endpoints";
import { gatewayUpstreams } from "../components/fleet/gateway";
import { objectStores } from "../components/gcp/stores";
import { platformFlows } from "../components/cluster/network-policies";
import { resolvePlatform } from "../components/platform/model";
import { remoteWriteSpecs } from "../components/metrics/shipping";
import { resolveStack } from "./support/stack-settings";

const HOST = "fleet.hub.acme-corp.example";
const FLEET = {
    clusters: [
        { name: "hub-gke", location: "us-central1", role: "hub" },
        { name: "edge-a", location: "us-east1-b", role: "spoke" },
    ],
    fleet: { hub: { host: HOST } },
};

const STACKS: Record<"prometheus" | "mimir" | "thanos", Settings> = {
    // Prod's services and SLOs in the minimal tier; the hub's Prometheus keeps the 30-day SLO period.
    prometheus: resolveStack("prod", { ...FLEET, tier: "minimal", metricsBackend: "prometheus", prometheus: { retentionDays: 31 } }),
    mimir: resolveStack("prod", FLEET),
    thanos: resolveStack("prod", { ...FLEET, metricsBackend: "thanos" }),
};

const [hubOf, spokeOf] = [(s: Settings) => s.clusters[0], (s: Settings) => s.clusters[1]];

/** The SLO PrometheusRules of each cluster with their evaluators, as model.json lists them. */
function sloRules(settings: Settings): Record<string, string[]> {
    const model = resolvePlatform(settings);
    return Object.fromEntries(model.clusters.map((c) => [c.name, c.rules.filter((r) => r.name.startsWith("slo-")).map((r) => `${r.name} ${r.evaluator}`)]));
}

const metricsPush = (settings: Settings, cluster: Settings["clusters"][number]) => {
    const flow = platformFlows(settings, cluster).find((f) => f.name === "allow-metrics-push")!;
    return { to: flow.to, ports: flow.ports };
};
/** The alerts on the metrics pipeline and store each cluster's Prometheus gets, from the model's rules. */
function storeAlerts(settings: Settings): Record<string, string[]> {
    return Object.fromEntries(
        resolvePlatform(settings).clusters.map((c) => [
            c.name,
            c.rules
                .flatMap((r) => r.groups)
                .flatMap((g) => g.rules.map((r) => ("alert" in r ? r.alert : "")))
                .filter((a) => /^(RemoteWrite|Mimir|Thanos|Ruler)/.test(a)),
        ]),
    );
}

/** Each remote-write queue of the cluster's Prometheus: its name (remote_name in the alerts) and headers. */
const queues = (settings: Settings, cluster: Settings["clusters"][number]) => remoteWriteSpecs(settings, cluster).map((w) => ({ name: w.name, headers: w.headers }));

const PROMETHEUS_PODS = { to: { "app.kubernetes.io/name": "prometheus" }, ports: [{ protocol: "TCP", port: "web" }] };

describe("metrics backend profiles", () => {
    describe("prometheus: the hub's Prometheus is the fleet's store", () => {
        const s = STACKS.prometheus;
        it("spokes remote-write through the gateway to the hub's Prometheus, which writes nowhere", () => {
            assert.equal(pushTargets(s, hubOf(s)).metricsRemoteWrite, null);
            assert.equal(pushTargets(s, spokeOf(s)).metricsRemoteWrite, "https://fleet.hub.acme-corp.example/api/v1/write");
            // One queue, without a tenant: the hub's Prometheus is not multi-tenant.
            assert.deepEqual(queues(s, hubOf(s)), []);
            assert.deepEqual(queues(s, spokeOf(s)), [{ name: "hub-prometheus", headers: undefined }]);
            assert.deepEqual(gatewayUpstreams(s).metrics, { path: "/api/v1/write", upstream: "kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090" });
            assert.deepEqual(metricsPush(s, hubOf(s)), PROMETHEUS_PODS);
        });
        it("has no bucket, and the hub's Prometheus evaluates every SLO rule", () => {
            assert.deepEqual(objectStores(s), []);
            assert.deepEqual(sloRules(s), {
                "hub-gke": ["slo-ojeomneo-server prometheus", "slo-reviewmaps-server prometheus"],
                "edge-a": [],
            });
            assert.deepEqual(resolvePlatform(s).metrics, { kind: "prometheus", fleetReceiver: true });
        });
        it("alerts on the spokes' remote write, which carries their history; no store or ruler of its own to alert on", () => {
            assert.deepEqual(storeAlerts(s), { "hub-gke": [], "edge-a": ["RemoteWriteFailing", "RemoteWriteBehind"] });
        });
        it("keeps the alerts on Loki and Tempo, which run on the hub, off the spokes", () => {
            // The self-monitoring group's (the hub's limits alerts on Loki are another group's).
            const alerts = (c: string) =>
                resolvePlatform(s)
                    .clusters.find((m) => m.name === c)!
                    .rules.flatMap((r) => r.groups)
                    .filter((g) => g.name === "observability-platform-self-monitoring")
                    .flatMap((g) => g.rules.map((r) => ("alert" in r ? r.alert : "")))
                    .filter((a) => /^(Loki|Tempo)/.test(a));
            assert.deepEqual(alerts("hub-gke"), ["LokiIngestionErrors", "LokiCompactionFailing", "TempoIngestionErrors", "TempoCompactionFailing"]);
            assert.deepEqual(alerts("edge-a"), []);
        });
    });

    describe("mimir: every cluster remote-writes to Mimir", () => {
        const s = STACKS.mimir;
        it("the hub writes to Mimir's gateway, a spoke through the fleet gateway, which forwards to it", () => {
            assert.equal(pushTargets(s, hubOf(s)).metricsRemoteWrite, "http://mimir-gateway.monitoring.svc/api/v1/push");
            assert.equal(pushTargets(s, spokeOf(s)).metricsRemoteWrite, "https://fleet.hub.acme-corp.example/api/v1/push");
            for (const cluster of [hubOf(s), spokeOf(s)]) assert.deepEqual(queues(s, cluster), [{ name: "mimir", headers: { "X-Scope-OrgID": "prod" } }]);
            assert.deepEqual(gatewayUpstreams(s).metrics, { path: "/api/v1/push", upstream: "mimir-gateway.monitoring.svc.cluster.local:80" });
            // The hub's OpenTelemetry gateway and Tempo push to Mimir too; a spoke's to its own Prometheus.
            assert.deepEqual(metricsPush(s, hubOf(s)), {
                to: { "app.kubernetes.io/name": "mimir", "app.kubernetes.io/component": "gateway" },
                ports: [{ protocol: "TCP", port: "http-metrics" }],
            });
            assert.deepEqual(metricsPush(s, spokeOf(s)), PROMETHEUS_PODS);
        });
        it("keeps blocks, rules and Alertmanager state in buckets, and Mimir's ruler evaluates every SLO rule", () => {
            assert.deepEqual(
                objectStores(s).map((b) => `${b.key} ${b.kind}`),
                ["mimir-blocks data", "mimir-ruler state", "mimir-alertmanager state", "loki-chunks data", "loki-ruler state", "tempo-traces data"],
            );
            assert.deepEqual(sloRules(s), {
                "hub-gke": ["slo-ojeomneo-server mimir-ruler", "slo-reviewmaps-server mimir-ruler"],
                "edge-a": [],
            });
            assert.deepEqual(resolvePlatform(s).metrics, { kind: "mimir", query: "http://mimir-gateway.monitoring.svc:80/prometheus", rulerEvaluatesSlos: true });
        });
        it("alerts on remote write, Mimir, its ruler and its per-tenant limits", () => {
            assert.deepEqual(storeAlerts(s), {
                "hub-gke": [
                    "RemoteWriteFailing",
                    "RemoteWriteBehind",
                    "MimirIngestionErrors",
                    "MimirCompactionFailing",
                    "RulerFailing",
                    "MimirSeriesNearLimit",
                    "MimirIngestionNearRateLimit",
                    "MimirDiscardingSamples",
                ],
                // Mimir and its ruler run on the hub: only the hub's Prometheus scrapes them.
                "edge-a": ["RemoteWriteFailing", "RemoteWriteBehind"],
            });
        });
    });

    describe("thanos: sidecars upload blocks, nothing remote-writes", () => {
        const s = STACKS.thanos;
        it("no Prometheus remote-writes and the gateway has no metrics path; the hub's writers push to its Prometheus", () => {
            assert.equal(pushTargets(s, hubOf(s)).metricsRemoteWrite, null);
            assert.equal(pushTargets(s, spokeOf(s)).metricsRemoteWrite, null);
            assert.deepEqual([queues(s, hubOf(s)), queues(s, spokeOf(s))], [[], []]);
            assert.equal(gatewayUpstreams(s).metrics, null);
            assert.deepEqual(metricsPush(s, hubOf(s)), PROMETHEUS_PODS);
        });
        it("keeps blocks in one bucket; short SLO windows stay on the hub's Prometheus, the 30-day ones go to the Thanos Ruler", () => {
            assert.deepEqual(
                objectStores(s).map((b) => `${b.key} ${b.kind}`),
                ["thanos-blocks data", "loki-chunks data", "loki-ruler state", "tempo-traces data"],
            );
            // The services run on the hub only (no `clusters`): the spoke evaluates none of their rules.
            assert.deepEqual(sloRules(s), {
                "hub-gke": [
                    "slo-ojeomneo-server prometheus",
                    "slo-ojeomneo-server-long-term thanos-ruler",
                    "slo-reviewmaps-server prometheus",
                    "slo-reviewmaps-server-long-term thanos-ruler",
                ],
                "edge-a": [],
            });
            assert.deepEqual(resolvePlatform(s).metrics, { kind: "thanos", query: "http://thanos-query-frontend.monitoring.svc:9090", rulerEvaluatesSlos: true });
        });
        it("alerts on uploads, compaction and the Thanos Ruler; no remote write, no tenant limits", () => {
            assert.deepEqual(storeAlerts(s), {
                "hub-gke": ["ThanosUploadFailing", "ThanosCompactionHalted", "RulerFailing"],
                // Each cluster's sidecar uploads its own blocks; the compactor and the ruler are the hub's.
                "edge-a": ["ThanosUploadFailing"],
            });
        });
    });
});
