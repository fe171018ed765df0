// Settings of the long-term metrics stores and the fleet (issue 4): defaults per tier and bad config.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { resolveSettings, type StackConfigInput } from "../components/config/settings";

const hub = { name: "hub-gke", location: "us-central1", role: "hub" };
const spoke = { name: "edge", location: "us-east1", role: "spoke" };

function input(values: Record<string, unknown>): StackConfigInput {
    return {
        stack: "prod",
        namespace: "observability-platform",
        gcpProject: "acme-observability-prod",
        gcpRegion: "us-central1",
        values: { tier: "long-term", clusters: [hub], ...values },
    };
}

function problems(values: Record<string, unknown>): string[] {
    try {
        resolveSettings(input(values));
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.message.split("\n").filter((l) => l.startsWith("  - "));
    }
    assert.fail("the config was accepted");
}

function lineFor(lines: string[], key: string): string {
    const line = lines.find((l) => l.startsWith(`  - observability-platform:${key}: `));
    assert.ok(line, `no problem for ${key} in:\n${lines.join("\n")}`);
    assert.match(line, /: expected .+; got .+/);
    return line;
}

describe("long-term metrics and fleet settings", () => {
    it("keeps 13 months of Mimir blocks and Thanos 1h data in the long-term tier, with finer Thanos resolutions expiring first", () => {
        const s = resolveSettings(input({ metricsBackend: "thanos" }));
        assert.ok(s.retention.metricsDays >= 395);
        assert.ok(s.thanos.rawRetentionDays <= s.thanos.fiveMinuteRetentionDays);
        assert.ok(s.thanos.fiveMinuteRetentionDays <= s.retention.metricsDays);
    });

    it("sizes Mimir ingesters for replication factor 3 and a short local Prometheus window when remote-writing", () => {
        const s = resolveSettings(input({}));
        assert.ok(s.mimir.ingesterReplicas >= 3);
        assert.ok(s.remoteWrite.localRetentionDays < s.prometheus.retentionDays);
        assert.ok(s.remoteWrite.queue.capacity >= s.remoteWrite.queue.maxSamplesPerSend);
    });

    it("accepts a stack with spokes once the hub's endpoint is named", () => {
        const s = resolveSettings(input({ clusters: [hub, spoke], fleet: { hub: { host: "fleet.acme.example", loadBalancerIP: "10.128.0.50" } } }));
        assert.equal(s.fleet.hub.host, "fleet.acme.example");
        assert.equal(s.fleet.gatewayReplicas, 2, "the rest of the fleet keys come from the tier");
    });

    it("rejects spokes without the hub's endpoint, naming the spokes", () => {
        const line = lineFor(problems({ clusters: [hub, spoke] }), "fleet.hub.host");
        assert.match(line, /spokes: edge/);
        assert.match(line, /the key is missing/);
    });

    it("rejects fewer Mimir ingesters than the replication factor, and Mimir settings with another backend, which would do nothing", () => {
        assert.match(lineFor(problems({ mimir: { ingesterReplicas: 2 } }), "mimir.ingesterReplicas"), /at least 3 .*got 2/);
        const other = problems({ metricsBackend: "thanos", mimir: { ingesterReplicas: 2 } });
        assert.match(lineFor(other, "mimir"), /nothing: the mimir settings apply with metricsBackend mimir only \(this stack's is "thanos"\)/);
        assert.ok(!other.some((l) => /at least 3/.test(l)), "the replication rule is Mimir's alone");
    });

    it("rejects a metrics retention that the prometheus backend ignores (it keeps prometheus.retentionDays)", () => {
        const line = lineFor(problems({ tier: "minimal", metricsBackend: "prometheus", retention: { metricsDays: 395 } }), "retention.metricsDays");
        assert.match(line, /nothing with metricsBackend prometheus: metrics stay on Prometheus' disks for prometheus\.retentionDays.*got 395/);
    });

    it("rejects Thanos resolutions that outlive a coarser one", () => {
        const lines = problems({
            metricsBackend: "thanos",
            retention: { metricsDays: 60 },
            thanos: { rawRetentionDays: 100, fiveMinuteRetentionDays: 90 },
        });
        assert.match(lineFor(lines, "thanos.rawRetentionDays"), /at most thanos.fiveMinuteRetentionDays \(90\).*got 100/);
        assert.match(lineFor(lines, "thanos.fiveMinuteRetentionDays"), /at most retention.metricsDays \(60\).*got 90/);
    });

    it("rejects an inconsistent remote-write queue and malformed fleet keys, all in one error", () => {
        const lines = problems({
            clusters: [hub, spoke],
            remoteWrite: { queue: { minShards: 50, maxShards: 10, capacity: 100, maxBackoff: "soon" } },
            fleet: { hub: { host: "not a host", loadBalancerIP: "10.0.0.300" }, certificateValidityDays: 5000 },
        });
        lineFor(lines, "remoteWrite.queue.minShards");
        lineFor(lines, "remoteWrite.queue.capacity");
        assert.match(lineFor(lines, "remoteWrite.queue.maxBackoff"), /duration/);
        assert.match(lineFor(lines, "fleet.hub.host"), /fully qualified host name/);
        assert.match(lineFor(lines, "fleet.hub.loadBalancerIP"), /IPv4/);
        assert.match(lineFor(lines, "fleet.certificateValidityDays"), /at most 825/);
    });
});
