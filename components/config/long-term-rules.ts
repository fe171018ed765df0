// Cross-key rules of the long-term metrics and fleet settings (issue 4). Written defensively like the
// other cross-field rules: the shape itself may be invalid, and its own errors are reported elsewhere.
import type { ConfigProblem } from "./errors";

type Json = unknown;
const obj = (v: Json): Record<string, Json> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const num = (v: Json): v is number => typeof v === "number" && Number.isFinite(v);

/** Mimir replicates every series to 3 ingesters; fewer ingesters cannot accept a write. */
export const MIMIR_REPLICATION_FACTOR = 3;

export function longTermMetricsProblems(c: Record<string, Json>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const clusters = Array.isArray(c.clusters) ? c.clusters.map(obj) : [];
    const fleet = obj(c.fleet);
    const hub = obj(fleet.hub);
    const spokes = clusters.filter((e) => e.role === "spoke").map((e) => String(e.name));
    if (spokes.length > 0 && hub.host === undefined) {
        problems.push({
            path: ["fleet", "hub", "host"],
            expected: `the host name spokes reach the hub's fleet gateway at (the stack has spokes: ${spokes.join(", ")})`,
            given: undefined,
        });
    }

    const mimir = obj(c.mimir);
    if (c.metricsBackend === "mimir" && num(mimir.ingesterReplicas) && mimir.ingesterReplicas < MIMIR_REPLICATION_FACTOR) {
        problems.push({
            path: ["mimir", "ingesterReplicas"],
            expected: `at least ${MIMIR_REPLICATION_FACTOR} (Mimir writes every series to ${MIMIR_REPLICATION_FACTOR} ingesters)`,
            given: mimir.ingesterReplicas,
        });
    }

    // Thanos downsamples raw -> 5m -> 1h; each resolution must outlive the finer one, and the
    // coarsest is the stack's metrics retention (which the bucket's lifecycle rule also follows).
    const thanos = c.metricsBackend === "thanos" ? obj(c.thanos) : {};
    const retention = obj(c.retention);
    if (num(thanos.rawRetentionDays) && num(thanos.fiveMinuteRetentionDays) && thanos.rawRetentionDays > thanos.fiveMinuteRetentionDays) {
        problems.push({
            path: ["thanos", "rawRetentionDays"],
            expected: `at most thanos.fiveMinuteRetentionDays (${thanos.fiveMinuteRetentionDays})`,
            given: thanos.rawRetentionDays,
        });
    }
    if (num(thanos.fiveMinuteRetentionDays) && num(retention.metricsDays) && thanos.fiveMinuteRetentionDays > retention.metricsDays) {
        problems.push({
            path: ["thanos", "fiveMinuteRetentionDays"],
            expected: `at most retention.metricsDays (${retention.metricsDays}), the retention of the 1h resolution`,
            given: thanos.fiveMinuteRetentionDays,
        });
    }

    const queue = obj(obj(c.remoteWrite).queue);
    if (num(queue.minShards) && num(queue.maxShards) && queue.minShards > queue.maxShards) {
        problems.push({
            path: ["remoteWrite", "queue", "minShards"],
            expected: `at most remoteWrite.queue.maxShards (${queue.maxShards})`,
            given: queue.minShards,
        });
    }
    if (num(queue.capacity) && num(queue.maxSamplesPerSend) && queue.capacity < queue.maxSamplesPerSend) {
        problems.push({
            path: ["remoteWrite", "queue", "capacity"],
            expected: `at least remoteWrite.queue.maxSamplesPerSend (${queue.maxSamplesPerSend}): a shard buffers at least one batch`,
            given: queue.capacity,
        });
    }
    return problems;
}

/**
 * Settings the stack's backend ignores, when the stack sets them itself: they would silently do
 * nothing (a 395-day metrics retention with metrics only on Prometheus' disks keeps 15 days).
 */
export function ignoredSettingProblems(overrides: Readonly<Record<string, Json>>, backend: Json): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const metricsDays = obj(overrides.retention).metricsDays;
    if (backend === "prometheus" && metricsDays !== undefined) {
        problems.push({
            path: ["retention", "metricsDays"],
            expected:
                "nothing with metricsBackend prometheus: metrics stay on Prometheus' disks for prometheus.retentionDays; " +
                "retention.metricsDays is the long-term store's (metricsBackend mimir or thanos, tier long-term)",
            given: metricsDays,
        });
    }
    for (const store of ["mimir", "thanos"] as const) {
        if (overrides[store] !== undefined && backend !== store) {
            problems.push({
                path: [store],
                expected: `nothing: the ${store} settings apply with metricsBackend ${store} only (this stack's is ${JSON.stringify(backend)})`,
                given: overrides[store],
            });
        }
    }
    return problems;
}
