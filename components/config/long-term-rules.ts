// Cross-key rules of the long-term metrics and fleet settings (issue 4), the tiers' retention caps and
// the settings a stack's tier or backend ignores (issue 16). Written defensively like the other
// cross-field rules: the shape itself may be invalid, and its own errors are reported elsewhere.
import type { ConfigProblem } from "./errors";
import { MAX_LIFECYCLE_MARGIN_DAYS, TIERS, WORKLOADS } from "./schema";
import { RETENTION_CAPS_DAYS, type RetentionCaps } from "./tiers";

type Json = unknown;
const obj = (v: Json): Record<string, Json> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const num = (v: Json): v is number => typeof v === "number" && Number.isFinite(v);

/** Mimir replicates every series to 3 ingesters; fewer ingesters cannot accept a write. */
export const MIMIR_REPLICATION_FACTOR = 3;

/** Days a Thanos sidecar's Prometheus keeps its blocks at least: Thanos' 2-day partial-upload age plus a day. */
export const THANOS_MIN_LOCAL_RETENTION_DAYS = 3;

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

    // Sidecars upload without the right to overwrite (gcp/stores): a block whose upload failed midway
    // is retried only once the compactor has removed the partial upload, after 2 days, so Prometheus
    // must still hold it then.
    const prometheus = obj(c.prometheus);
    if (c.metricsBackend === "thanos" && num(prometheus.retentionDays) && prometheus.retentionDays < THANOS_MIN_LOCAL_RETENTION_DAYS) {
        problems.push({
            path: ["prometheus", "retentionDays"],
            expected: `at least ${THANOS_MIN_LOCAL_RETENTION_DAYS} with metricsBackend thanos (a failed block upload is retried after the compactor removes the partial one, 2 days later)`,
            given: prometheus.retentionDays,
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

/** Workloads of one long-term store only, by their `resources` key. */
const STORE_WORKLOADS = (store: "mimir" | "thanos"): string[] =>
    WORKLOADS.filter((w) => w.startsWith(store) || (store === "mimir" && w === "alloyRules"));

/** Whether no Prometheus of the stack remote-writes: Thanos' sidecars upload blocks, and a lone prometheus hub keeps its own. */
function noRemoteWrite(c: Record<string, Json>): boolean {
    const spokes = Array.isArray(c.clusters) && c.clusters.some((e) => obj(e).role === "spoke");
    return c.metricsBackend === "thanos" || (c.metricsBackend === "prometheus" && !spokes);
}

/**
 * Retentions within what the stack's tier keeps of each signal (RETENTION_CAPS_DAYS), each named by
 * the key that sets it. A bucket deletes storage.lifecycleMarginDays after its store would, so in the
 * tier with buckets the margin counts against the cap.
 */
export function retentionCapProblems(c: Record<string, Json>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const tier = TIERS.find((t) => t === c.tier);
    // With an unknown tier (its own error), only what no tier keeps is reported.
    const cap = (signal: keyof RetentionCaps) =>
        tier ? RETENTION_CAPS_DAYS[tier][signal] : Math.max(...TIERS.map((t) => RETENTION_CAPS_DAYS[t][signal]));
    const where = tier ? `in the ${tier} tier` : "in any tier";
    // An invalid margin is its own error; the retentions are then held to the cap alone.
    const given = obj(c.storage).lifecycleMarginDays;
    const margin = tier === "long-term" && num(given) && given > 0 && given <= MAX_LIFECYCLE_MARGIN_DAYS ? given : 0;
    const check = (path: [string, string], days: Json, signal: keyof RetentionCaps, inBucket: boolean, why: string) => {
        if (!num(days)) return;
        const max = cap(signal) - (inBucket ? margin : 0);
        if (days > max) {
            const marginText = inBucket && margin > 0 ? `, ${cap(signal)} with storage.lifecycleMarginDays ${margin}` : "";
            problems.push({ path, expected: `at most ${max} days ${where} (${why}${marginText})`, given: days });
        }
    };
    const retention = obj(c.retention);
    const onDisk = tier === "minimal" ? "on persistent disks" : "in Cloud Storage";
    // retention.metricsDays with the prometheus backend is refused as ignored (ignoredSettingProblems).
    if (c.metricsBackend !== "prometheus") check(["retention", "metricsDays"], retention.metricsDays, "metrics", true, "the metrics store's history");
    check(["retention", "logsDays"], retention.logsDays, "logs", tier !== "minimal", `logs ${onDisk}`);
    check(["retention", "tracesDays"], retention.tracesDays, "traces", tier !== "minimal", `traces ${onDisk}`);
    check(["prometheus", "retentionDays"], obj(c.prometheus).retentionDays, "prometheusDisk", false, "metrics on Prometheus' own disk");
    // Where nothing remote-writes, the whole remoteWrite key is refused as ignored instead.
    if (!noRemoteWrite(c)) check(["remoteWrite", "localRetentionDays"], obj(c.remoteWrite).localRetentionDays, "prometheusDisk", false, "metrics on Prometheus' own disk");
    if (c.metricsBackend === "thanos") {
        const thanos = obj(c.thanos);
        check(["thanos", "rawRetentionDays"], thanos.rawRetentionDays, "metrics", true, "the metrics store's history");
        check(["thanos", "fiveMinuteRetentionDays"], thanos.fiveMinuteRetentionDays, "metrics", true, "the metrics store's history");
    }
    return problems;
}

/**
 * Settings the stack's tier, backend or other settings make ignored, when the stack sets them itself
 * (a preset's keys are never the stack's doing): they would silently do nothing, as a 395-day metrics
 * retention with metrics only on Prometheus' disks keeps 15 days. `c` is the merged config.
 */
export function ignoredSettingProblems(overrides: Readonly<Record<string, Json>>, c: Record<string, Json>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const backend = c.metricsBackend;
    const ignored = (path: (string | number)[], expected: string) => {
        let given: Json = overrides;
        for (const key of path) given = obj(given)[key];
        if (given !== undefined) problems.push({ path, expected, given });
    };
    if (backend === "prometheus") {
        ignored(
            ["retention", "metricsDays"],
            "nothing with metricsBackend prometheus: metrics stay on Prometheus' disks for prometheus.retentionDays; " +
                "retention.metricsDays is the long-term store's (metricsBackend mimir or thanos, tier long-term)",
        );
    }
    for (const store of ["mimir", "thanos"] as const) {
        if (backend === store) continue;
        ignored([store], `nothing: the ${store} settings apply with metricsBackend ${store} only (this stack's is ${JSON.stringify(backend)})`);
        for (const w of STORE_WORKLOADS(store)) {
            ignored(["resources", w], `nothing: ${w} runs with metricsBackend ${store} only (this stack's is ${JSON.stringify(backend)})`);
        }
    }
    // The minimal tier keeps everything on persistent disks: the bucket settings have no bucket.
    if (c.tier === "minimal") {
        for (const key of ["lifecycleMarginDays", "stateHistoryDays", "protectBuckets"]) {
            ignored(["storage", key], "nothing: the minimal tier has no Cloud Storage buckets, which this setting is for (use the long-term tier)");
        }
    }
    // Only a Prometheus that remote-writes (with Mimir, or a spoke's to the hub's Prometheus) reads these.
    if (noRemoteWrite(c)) {
        ignored(
            ["remoteWrite"],
            backend === "thanos"
                ? "nothing: with metricsBackend thanos no Prometheus remote-writes (sidecars upload blocks); the local window is prometheus.retentionDays"
                : "nothing: no Prometheus of this stack remote-writes (metricsBackend prometheus and no spoke); the local window is prometheus.retentionDays",
        );
    }
    const loki = obj(c.loki);
    if (loki.dropHealthChecks === false) ignored(["loki", "healthCheckPaths"], "nothing: loki.dropHealthChecks is false, so no path is dropped");
    if (loki.caches === false) {
        for (const w of ["lokiChunksCache", "lokiResultsCache"]) ignored(["resources", w], "nothing: loki.caches is false, so the cache does not run");
    }
    return problems;
}
