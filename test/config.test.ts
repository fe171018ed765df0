import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { resolveSettings, type StackConfigInput } from "../components/config/settings";
import { TIER_PRESETS } from "../components/config/tiers";

const hub = { name: "dev-gke", location: "us-central1-a", role: "hub" };

function input(values: Record<string, unknown>, extra: Partial<StackConfigInput> = {}): StackConfigInput {
    return {
        stack: "dev",
        namespace: "observability-platform",
        gcpProject: "acme-observability-dev",
        gcpRegion: "us-central1",
        values: { tier: "minimal", clusters: [hub], ...values },
        ...extra,
    };
}

/** Resolves and returns the ConfigError it must throw. */
function rejection(values: Record<string, unknown>, extra: Partial<StackConfigInput> = {}): ConfigError {
    try {
        resolveSettings(input(values, extra));
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err;
    }
    assert.fail("the config was accepted");
}

/** The error line for one key path, which must name what was expected and what was given. */
function lineFor(error: ConfigError, keyPath: string): string {
    const line = error.message.split("\n").find((l) => l.startsWith(`  - ${keyPath}: `));
    assert.ok(line, `no problem reported for ${keyPath} in:\n${error.message}`);
    assert.match(line, /: expected .+; got .+/);
    return line;
}

describe("stack config", () => {
    describe("tier presets", () => {
        it("resolves the minimal tier to local Prometheus with size-based retention inside the disk", () => {
            const s = resolveSettings(input({}));
            assert.equal(s.metricsBackend, "prometheus");
            assert.equal(s.storage.protectBuckets, false);
            assert.ok(s.prometheus.retentionSizeGi <= s.prometheus.storageGi * 0.85);
            assert.ok(s.prometheus.retentionSizeGi > 0);
        });

        it("resolves the long-term tier to Mimir, 13 months of metrics, HA Prometheus and protected buckets", () => {
            const s = resolveSettings(input({ tier: "long-term" }));
            assert.equal(s.metricsBackend, "mimir");
            assert.ok(s.retention.metricsDays >= 395, "13 months of metrics");
            assert.ok(s.prometheus.replicas >= 2);
            assert.equal(s.storage.protectBuckets, true);
            assert.equal(s.argocd.highAvailability, true);
        });

        it("lets a stack override one nested key and keeps the rest of the tier", () => {
            const s = resolveSettings(input({ prometheus: { storageGi: 100 } }));
            assert.equal(s.prometheus.storageGi, 100);
            assert.equal(s.prometheus.retentionSizeGi, 85, "derived from the overridden disk size");
            assert.equal(s.prometheus.retentionDays, TIER_PRESETS.minimal.prometheus.retentionDays);
            const r = resolveSettings(input({ resources: { grafana: { limits: { memory: "1Gi" } } } }));
            assert.equal(r.resources.grafana.limits.memory, "1Gi");
            assert.equal(r.resources.grafana.requests.cpu, TIER_PRESETS.minimal.resources.grafana.requests.cpu);
        });

        it("defaults a cluster's project to gcp:project and keeps an explicit one", () => {
            const s = resolveSettings(
                input({
                    clusters: [hub, { name: "edge", location: "europe-west1", role: "spoke", project: "acme-edge-01" }],
                    fleet: { hub: { host: "fleet.example.com" } },
                }),
            );
            assert.deepEqual(
                s.clusters.map((c) => c.project),
                ["acme-observability-dev", "acme-edge-01"],
            );
        });

        it("returns settings that cannot be changed afterwards", () => {
            const s = resolveSettings(input({}));
            assert.throws(() => {
                (s.prometheus as { replicas: number }).replicas = 5;
            }, TypeError);
            assert.ok(Object.isFrozen(s.clusters[0]));
        });

        it("does not let one stack's settings leak into the preset of the next", () => {
            resolveSettings(input({ prometheus: { storageGi: 300 } }));
            assert.equal(resolveSettings(input({})).prometheus.storageGi, TIER_PRESETS.minimal.prometheus.storageGi);
        });
    });

    describe("bad config is rejected with every problem named", () => {
        it("an unknown (misspelt) key, with a suggestion", () => {
            const line = lineFor(rejection({ prometheus: { retentionDayz: 3 } }), "observability-platform:prometheus.retentionDayz");
            assert.match(line, /did you mean "retentionDays"/);
            assert.match(line, /got the unknown key "retentionDayz"/);
        });

        it("an unknown top-level key", () => {
            lineFor(rejection({ grafanna: {} }), "observability-platform:grafanna");
        });

        it("an unknown tier", () => {
            const line = lineFor(rejection({ tier: "premium" }), "observability-platform:tier");
            assert.match(line, /"minimal" \| "long-term"/);
            assert.match(line, /got "premium"/);
        });

        it("two hubs", () => {
            const line = lineFor(
                rejection({ clusters: [hub, { ...hub, name: "other-gke" }] }),
                "observability-platform:clusters",
            );
            assert.match(line, /exactly one cluster with role "hub"/);
            assert.match(line, /2 hubs: dev-gke, other-gke/);
        });

        it("no hub", () => {
            const line = lineFor(rejection({ clusters: [{ ...hub, role: "spoke" }] }), "observability-platform:clusters");
            assert.match(line, /got "no hub"/);
        });

        it("no cluster at all", () => {
            lineFor(rejection({ clusters: [] }), "observability-platform:clusters");
            const missing = lineFor(rejection({ clusters: undefined }), "observability-platform:clusters");
            assert.match(missing, /the key is missing/);
        });

        it("a negative disk size", () => {
            const line = lineFor(rejection({ prometheus: { storageGi: -5 } }), "observability-platform:prometheus.storageGi");
            assert.match(line, /positive/);
            assert.match(line, /got -5/);
        });

        it("a retention size over 85% of the disk", () => {
            const line = lineFor(
                rejection({ prometheus: { storageGi: 20, retentionSizeGi: 20 } }),
                "observability-platform:prometheus.retentionSizeGi",
            );
            assert.match(line, /at most 17/);
        });

        it("a metrics backend the tier does not allow", () => {
            lineFor(rejection({ metricsBackend: "mimir" }), "observability-platform:metricsBackend");
            const line = lineFor(rejection({ tier: "long-term", metricsBackend: "prometheus" }), "observability-platform:metricsBackend");
            assert.match(line, /"mimir" \| "thanos" in the long-term tier/);
        });

        it("a malformed cluster entry", () => {
            const error = rejection({ clusters: [{ name: "Dev_GKE", role: "hub", zone: "us-central1-a" }] });
            lineFor(error, "observability-platform:clusters[0].name");
            lineFor(error, "observability-platform:clusters[0].zone");
            assert.match(lineFor(error, "observability-platform:clusters[0].location"), /the key is missing/);
        });

        it("a cluster list that is not a list", () => {
            lineFor(rejection({ clusters: "dev-gke" }), "observability-platform:clusters");
        });

        it("duplicate cluster names", () => {
            lineFor(rejection({ clusters: [hub, { ...hub, role: "spoke" }] }), "observability-platform:clusters[1].name");
        });

        it("a zone where gcp:region wants a region, and a missing gcp:project", () => {
            const error = rejection({}, { gcpRegion: "us-central1-a", gcpProject: undefined });
            assert.match(lineFor(error, "gcp:region"), /not a zone/);
            assert.match(lineFor(error, "gcp:project"), /the key is missing/);
        });

        it("resource quantities in the wrong units", () => {
            const error = rejection({ resources: { prometheus: { requests: { cpu: "lots", memory: "2G" } } } });
            assert.match(lineFor(error, "observability-platform:resources.prometheus.requests.memory"), /"512Mi"/);
            lineFor(error, "observability-platform:resources.prometheus.requests.cpu");
        });

        it("a single Prometheus in the long-term tier", () => {
            lineFor(rejection({ tier: "long-term", prometheus: { replicas: 1 } }), "observability-platform:prometheus.replicas");
        });

        it("a Grafana ingress without a host or TLS secret", () => {
            const error = rejection({ grafana: { ingress: { enabled: true } } });
            lineFor(error, "observability-platform:grafana.ingress.host");
            lineFor(error, "observability-platform:grafana.ingress.tlsSecretName");
        });

        it("cost assumptions out of range: unknown compute, negative or over-precise usage, fractional operations", () => {
            const error = rejection({
                cost: { compute: "t2.micro", logsGbPerDay: -1, tracesGbPerDay: 0.0005, storageClassAOpsPerMonth: 1.5, activeSeries: 0 },
            });
            assert.match(lineFor(error, "observability-platform:cost.compute"), /"autopilot" or a GCE machine type/);
            assert.match(lineFor(error, "observability-platform:cost.logsGbPerDay"), /zero or more/);
            assert.match(lineFor(error, "observability-platform:cost.tracesGbPerDay"), /at most 3 decimals/);
            lineFor(error, "observability-platform:cost.storageClassAOpsPerMonth");
            lineFor(error, "observability-platform:cost.activeSeries");
        });

        it("reports all problems of a config at once, in one error", () => {
            const error = rejection({
                tier: "premium",
                prometheus: { storageGi: -1, typo: true },
                clusters: [hub, { ...hub, name: "b" }],
            });
            assert.equal(error.problems.length, 4, error.message);
            assert.match(error.message, /4 problems/);
            assert.match(error.message, /Nothing was deployed/);
        });
    });
});
