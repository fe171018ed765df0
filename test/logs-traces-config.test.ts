// Settings of the logs and traces pillars: tier defaults and bad config named before anything runs.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";

const hub = { name: "dev-gke", location: "us-central1-a", role: "hub" };

function resolve(values: Record<string, unknown>) {
    return resolveSettings({
        stack: "dev",
        namespace: "observability-platform",
        gcpProject: "acme-observability-dev",
        gcpRegion: "us-central1",
        values: { tier: "minimal", clusters: [hub], ...values },
    });
}

function problems(values: Record<string, unknown>): string {
    try {
        resolve(values);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.message;
    }
    assert.fail("the config was accepted");
}

const line = (message: string, key: string) => {
    const found = message.split("\n").find((l) => l.startsWith(`  - observability-platform:${key}: `));
    assert.ok(found, `no problem reported for ${key} in:\n${message}`);
    assert.match(found, /: expected .+; got .+/);
    return found;
};

describe("logs and traces settings", () => {
    it("keep every trace in the minimal tier and 10% of the ordinary ones in the long-term tier", () => {
        assert.equal(resolve({}).otel.sampling.probabilisticPercent, 100);
        const lt = resolve({ tier: "long-term" });
        assert.equal(lt.otel.sampling.probabilisticPercent, 10);
        assert.equal(lt.retention.logsDays, 30);
        assert.equal(lt.retention.tracesDays, 7);
    });

    it("run one Loki on a disk in the minimal tier and three replicating ones in the long-term tier", () => {
        const min = resolve({});
        assert.deepEqual([min.loki.deploymentMode, min.loki.replicas, min.loki.caches], ["Monolithic", 1, false]);
        const lt = resolve({ tier: "long-term" });
        assert.deepEqual([lt.loki.deploymentMode, lt.loki.replicas, lt.loki.caches], ["Monolithic", 3, true]);
        assert.equal(resolve({ tier: "long-term", loki: { deploymentMode: "Distributed" } }).loki.deploymentMode, "Distributed");
    });

    it("run one Loki gateway in the minimal tier and two in the long-term tier, or as many as a stack sets", () => {
        assert.equal(resolve({}).loki.gatewayReplicas, 1);
        assert.equal(resolve({ tier: "long-term" }).loki.gatewayReplicas, 2);
        // A setting the tier presets, not a tier switch: a minimal stack may run two.
        assert.equal(resolve({ loki: { gatewayReplicas: 2 } }).loki.gatewayReplicas, 2);
        assert.match(line(problems({ loki: { gatewayReplicas: 0 } }), "loki.gatewayReplicas"), /at least 1 replica; got 0/);
    });

    it("reject Loki replicas or Distributed mode on the minimal tier's single disk", () => {
        const message = problems({ loki: { replicas: 3, deploymentMode: "Distributed" } });
        assert.match(line(message, "loki.replicas"), /1 in the minimal tier/);
        assert.match(line(message, "loki.deploymentMode"), /"Monolithic" in the minimal tier/);
    });

    it("reject two Loki replicas, which cannot keep a quorum of three copies", () => {
        assert.match(line(problems({ tier: "long-term", loki: { replicas: 2 } }), "loki.replicas"), /at least 3/);
    });

    it("reject sampling shares and ratios out of range and malformed health-check paths, all at once", () => {
        const message = problems({
            otel: { sampling: { probabilisticPercent: 150, slowTraceThresholdMs: 0 }, instrumentationSamplingRatio: 2 },
            loki: { healthCheckPaths: ["healthz"], deploymentMode: "SimpleScalable" },
        });
        assert.match(line(message, "otel.sampling.probabilisticPercent"), /between 0 and 100; got 150/);
        assert.match(line(message, "otel.sampling.slowTraceThresholdMs"), /positive number of milliseconds/);
        assert.match(line(message, "otel.instrumentationSamplingRatio"), /between 0 and 1; got 2/);
        assert.match(line(message, "loki.healthCheckPaths[0]"), /HTTP path/);
        assert.match(line(message, "loki.deploymentMode"), /"Monolithic" \| "Distributed"/);
    });
});
