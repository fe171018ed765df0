// Each cost tier is a complete default settings object (the kube-prometheus idea): a stack picks a
// tier and overrides only the keys it cares about.
import type { MetricsBackend, ResourceSpec, Tier, TierPreset, Workload } from "./schema";

const res = (cpu: string, memory: string, memoryLimit: string): ResourceSpec => ({
    requests: { cpu, memory },
    limits: { memory: memoryLimit },
});

// Long-term metrics stores and the fleet gateway (issue 4). The minimal tier runs neither store (it
// allows the prometheus backend only) but may run the gateway for a small fleet.
//
// Mimir sizing for the long-term default of about 100k-300k active series, from Mimir's capacity
// guidance (the chart's small preset is sized for about 1M series and ~27 vCPU / 49 GiB):
// - ingesters hold every series 3 times (replication factor 3): 300k x 3 = 900k in-memory series over
//   3 ingesters = 300k each = about 1 core and 2.5 GB each; the limit leaves room for head compaction
//   and WAL replay. Disk: about 5 GB per 300k series, 20Gi for WAL, head blocks and headroom.
// - distributors: 1 core + 1 GB per 25k samples/s; 300k series at a 30s scrape = 10k samples/s,
//   so two small replicas for availability.
// - queriers and store-gateways: 1 core + 1 GB per 10 queries/s; a platform team's dashboards stay
//   well under that, replicas are for availability.
// - compactor: 1 core + 4 GB + 300 GB disk per 20M series; 300k series need a fraction of that.
const longTermMetricsResources = {
    mimirDistributor: res("250m", "512Mi", "1Gi"),
    mimirIngester: res("1", "2560Mi", "4Gi"),
    mimirQuerier: res("250m", "512Mi", "1536Mi"),
    mimirQueryFrontend: res("100m", "128Mi", "512Mi"),
    mimirQueryScheduler: res("50m", "64Mi", "256Mi"),
    mimirStoreGateway: res("250m", "512Mi", "1536Mi"),
    mimirCompactor: res("250m", "512Mi", "2Gi"),
    mimirRuler: res("100m", "256Mi", "1Gi"),
    mimirAlertmanager: res("20m", "64Mi", "256Mi"),
    mimirGateway: res("50m", "64Mi", "256Mi"),
    // One Alloy replica doing nothing but reconciling a few PrometheusRules with the ruler API.
    alloyRules: res("20m", "64Mi", "256Mi"),
    // Thanos for the same series count: the store gateway keeps block index headers in memory
    // (and about 6 MB of disk per block), the compactor downsamples into raw, 5m and 1h copies.
    thanosQuery: res("200m", "512Mi", "1536Mi"),
    thanosQueryFrontend: res("50m", "128Mi", "512Mi"),
    thanosStoreGateway: res("250m", "1Gi", "2Gi"),
    thanosCompactor: res("250m", "1Gi", "3Gi"),
    thanosSidecar: res("50m", "64Mi", "256Mi"),
    // A few recording rules over 30 days of 5m rates per SLO and cluster, through Thanos Query.
    thanosRuler: res("50m", "128Mi", "512Mi"),
} as const satisfies Partial<Record<Workload, ResourceSpec>>;

const minimalResources: Record<Workload, ResourceSpec> = {
    // About 3 kB per head series: 1Gi holds a small cluster's ~100k series with headroom.
    prometheus: res("200m", "1Gi", "2Gi"),
    alertmanager: res("10m", "32Mi", "128Mi"),
    prometheusOperator: res("50m", "64Mi", "256Mi"),
    prometheusConfigReloader: res("10m", "16Mi", "64Mi"),
    kubeStateMetrics: res("20m", "64Mi", "256Mi"),
    nodeExporter: res("20m", "32Mi", "64Mi"),
    grafana: res("50m", "128Mi", "512Mi"),
    grafanaSidecar: res("10m", "64Mi", "128Mi"),
    argocdController: res("100m", "256Mi", "1Gi"),
    argocdServer: res("20m", "64Mi", "256Mi"),
    argocdRepoServer: res("20m", "128Mi", "512Mi"),
    argocdApplicationSet: res("10m", "32Mi", "128Mi"),
    argocdNotifications: res("10m", "32Mi", "128Mi"),
    argocdDex: res("10m", "32Mi", "128Mi"),
    argocdRedis: res("10m", "32Mi", "128Mi"),
    // Logs and traces: together at most 1 CPU and 2Gi on a 3-node cluster (README, footprint).
    loki: res("200m", "448Mi", "1Gi"),
    lokiGateway: res("10m", "16Mi", "64Mi"),
    // Caches are off in this tier (loki.caches): these apply only when a stack turns them on.
    lokiChunksCache: res("50m", "256Mi", "320Mi"),
    lokiResultsCache: res("50m", "128Mi", "160Mi"),
    alloy: res("40m", "96Mi", "256Mi"),
    alloyConfigReloader: res("5m", "16Mi", "32Mi"),
    tempo: res("250m", "640Mi", "1536Mi"),
    otelGateway: res("50m", "160Mi", "320Mi"),
    otelOperator: res("20m", "64Mi", "192Mi"),
    ...longTermMetricsResources,
    fleetGateway: res("50m", "32Mi", "128Mi"),
    // One INFO per scrape against one instance: a few MiB of Go heap.
    redisExporter: res("10m", "32Mi", "64Mi"),
    // A handful of probes a minute, each a connection or a GET: a few MiB of Go heap.
    blackboxExporter: res("10m", "32Mi", "64Mi"),
    // One watch on the API server's events; a burst (a failed rollout) is a few thousand lines.
    alloyEvents: res("20m", "64Mi", "256Mi"),
    // kiwigrid/k8s-sidecar: a Python watch on ConfigMaps in Loki's namespace.
    lokiRulesSidecar: res("10m", "48Mi", "128Mi"),
};

const longTermResources: Record<Workload, ResourceSpec> = {
    // Per replica. Sized for a few hundred thousand head series; Prometheus keeps only a short local
    // window when a long-term store takes the history.
    prometheus: res("500m", "3Gi", "6Gi"),
    alertmanager: res("20m", "64Mi", "256Mi"),
    prometheusOperator: res("100m", "128Mi", "512Mi"),
    prometheusConfigReloader: res("10m", "32Mi", "64Mi"),
    kubeStateMetrics: res("50m", "128Mi", "512Mi"),
    nodeExporter: res("30m", "32Mi", "128Mi"),
    grafana: res("100m", "256Mi", "1Gi"),
    grafanaSidecar: res("20m", "96Mi", "256Mi"),
    argocdController: res("250m", "512Mi", "2Gi"),
    argocdServer: res("50m", "128Mi", "512Mi"),
    argocdRepoServer: res("50m", "256Mi", "1Gi"),
    argocdApplicationSet: res("20m", "64Mi", "256Mi"),
    argocdNotifications: res("20m", "64Mi", "256Mi"),
    argocdDex: res("10m", "32Mi", "128Mi"),
    argocdRedis: res("50m", "64Mi", "256Mi"),
    // Logs and traces, per replica.
    loki: res("500m", "1Gi", "3Gi"),
    lokiGateway: res("20m", "32Mi", "128Mi"),
    // Memcached gets ~80% of its memory request as cache (see logs/loki.ts), instead of the chart's 8Gi.
    lokiChunksCache: res("100m", "1280Mi", "1536Mi"),
    lokiResultsCache: res("50m", "320Mi", "384Mi"),
    alloy: res("100m", "192Mi", "512Mi"),
    alloyConfigReloader: res("5m", "16Mi", "32Mi"),
    tempo: res("500m", "2Gi", "4Gi"),
    otelGateway: res("200m", "512Mi", "1Gi"),
    otelOperator: res("50m", "128Mi", "256Mi"),
    ...longTermMetricsResources,
    fleetGateway: res("100m", "64Mi", "256Mi"),
    redisExporter: res("10m", "32Mi", "64Mi"),
    // A handful of probes a minute, each a connection or a GET: a few MiB of Go heap.
    blackboxExporter: res("10m", "32Mi", "64Mi"),
    alloyEvents: res("50m", "96Mi", "384Mi"),
    lokiRulesSidecar: res("10m", "48Mi", "128Mi"),
};

// Cardinality and volume limits (config/limits.ts). A scrape over its sample limit, or with a sample
// over a label limit, fails whole (`up` is 0 for it): the ceilings are there to stop one target from
// exhausting Prometheus, not to trim normal load, so they sit well above what the charts' own
// targets expose, and the alerts warn at alertAtPercent of each.
// - Application targets (the `scrape` entries and presets): a Go or JVM service with a few request
//   histograms is 1k-5k samples, redis_exporter a few hundred, cert-manager ~10 per certificate.
// - The charts' targets get the enforced ceiling only. The largest single targets are
//   kube-state-metrics (one target for the whole cluster: roughly 30-50 series per pod plus a few per
//   other object, ~50k at 1000 pods) and each node's cAdvisor endpoint (after the chart's drop rules
//   roughly 20-30 series per container and 15 per pod: 5k-10k on a node of 110 pods, tens of
//   thousands on larger nodes). Loki, Mimir, Tempo and Alloy expose a few thousand each.
// - The enforced sample ceiling is what one Prometheus replica is sized for (about 100k series in
//   the minimal tier's 1Gi, a few hundred thousand in the long-term tier): no single target may need
//   more than the whole Prometheus. A larger cluster raises it with prometheus.resources.
// - Labels: an application sample carries its metric name, the target labels (namespace, service,
//   pod, container, endpoint, instance, job) and its own; 20 leaves ~12 of its own. The ceiling, 27,
//   is Mimir's 30 labels per series less the external labels added at remote write (config/limits.ts);
//   cAdvisor's and kube-state-metrics' widest series have about 16. Label names and values are
//   capped at Mimir's lengths, so nothing Prometheus accepts is refused downstream.
// - Loki: Loki's own defaults are 4 MB/s per tenant and 3 MB/s per stream. The minimal tier's
//   2 GB/day average is ~25 KB/s: 2 MB/s is 80 times that, yet would fill the 100Gi disk in under a
//   day, so the 80% alert comes first. The long-term tier's 20 GB/day is ~0.25 MB/s; 8 MB/s leaves
//   room for a fleet's catch-up after an outage. Streams: containers x levels, plus events and node
//   logs: a few thousand on a small cluster, 20k for a fleet.
const limitsByTier: Readonly<Record<Tier, TierPreset["limits"]>> = {
    minimal: {
        scrape: {
            sampleLimit: 10_000,
            labelLimit: 20,
            enforced: { sampleLimit: 100_000, labelLimit: 27, labelNameLengthLimit: 1024, labelValueLengthLimit: 2048 },
        },
        logs: { ingestionRateMb: 2, ingestionBurstSizeMb: 6, perStreamRateMb: 1, perStreamBurstMb: 4, maxGlobalStreamsPerTenant: 5_000 },
        alertAtPercent: 80,
    },
    "long-term": {
        scrape: {
            sampleLimit: 20_000,
            labelLimit: 20,
            enforced: { sampleLimit: 250_000, labelLimit: 27, labelNameLengthLimit: 1024, labelValueLengthLimit: 2048 },
        },
        logs: { ingestionRateMb: 8, ingestionBurstSizeMb: 16, perStreamRateMb: 3, perStreamBurstMb: 15, maxGlobalStreamsPerTenant: 20_000 },
        alertAtPercent: 80,
    },
};

const shared = {
    // Set for the one run that is meant to delete stored data, then removed (components/data-loss).
    allowDataLoss: false,
    namespaces: { monitoring: "monitoring", logging: "logging", tracing: "tracing", gitops: "argocd" },
    // Sizes from the plan we follow: Loki 100Gi and Tempo 50Gi of persistent disk.
    loki: { storageGi: 100 },
    tempo: { storageGi: 50 },
    // SRE layer: no SLOs unless a stack declares its services; alert routing is the same everywhere.
    slos: [] as TierPreset["slos"],
    // No application targets unless a stack declares its services.
    scrape: [] as TierPreset["scrape"],
    // cert-manager is not the platform's: a stack that runs it turns the preset on.
    certManager: { enabled: false },
    // Annotation discovery is a second way in, beside `scrape`: a stack turns it on.
    scrapeAnnotations: { enabled: false },
    // No Redis instances unless a stack declares them.
    redis: [] as TierPreset["redis"],
    // No probes of applications unless a stack declares them (the platform's own certificates are probed anyway).
    probes: [] as TierPreset["probes"],
    // No log alerts of the stack's own; the platform's Kubernetes-event alerts are always there.
    logAlerts: [] as TierPreset["logAlerts"],
    alerting: {
        runbookBaseUrl: "https://github.com/acme-corp/observability-platform/blob/main/docs/runbooks",
        slack: { alertsChannel: "#alerts", monitoringChannel: "#monitoring" },
    },
    // Long-term metrics and the fleet (issue 4).
    remoteWrite: {
        // A spoke (or the hub, with Mimir) keeps two days locally: enough to ride out an outage of
        // the store, whose queue then replays from the WAL.
        localRetentionDays: 2,
        // prometheus-operator QueueConfig. Larger batches than Prometheus' defaults (2000 samples,
        // 10k capacity) cut request overhead to the store; capacity 5x a batch keeps shards fed;
        // maxShards bounds memory (capacity x shards samples in flight) at ~300k series.
        queue: {
            capacity: 10000,
            minShards: 1,
            maxShards: 30,
            maxSamplesPerSend: 2000,
            batchSendDeadline: "5s",
            minBackoff: "30ms",
            maxBackoff: "5s",
        },
    },
    mimir: {
        ingesterReplicas: 3,
        ingesterStorageGi: 20,
        distributorReplicas: 2,
        querierReplicas: 2,
        queryFrontendReplicas: 2,
        storeGatewayReplicas: 3,
        storeGatewayStorageGi: 10,
        compactorStorageGi: 50,
        alertmanagerStorageGi: 1,
        gatewayReplicas: 2,
        // Headroom above the 300k target before Mimir rejects new series.
        maxGlobalSeriesPerTenant: 500000,
        // A fifth of the tenant: the fleet's largest legitimate metrics (a service's request histogram
        // over routes, codes and pods; container_* over every container) stay well under 100k.
        maxGlobalSeriesPerMetric: 100000,
        ingestionRateSamplesPerSecond: 50000,
        // Mimir's default is 0 (exemplars dropped). About one exemplar per series in 3% of the
        // 300k target: each costs a few hundred bytes of ingester memory.
        maxGlobalExemplarsPerTenant: 10000,
    },
    thanos: {
        // Raw data for the recent month, 5m for a quarter, 1h for retention.metricsDays.
        rawRetentionDays: 30,
        fiveMinuteRetentionDays: 90,
        queryReplicas: 2,
        queryFrontendReplicas: 2,
        storeGatewayReplicas: 2,
        storeGatewayStorageGi: 10,
        // The downsampling and compaction scratch space Thanos recommends (about 100 GB).
        compactorStorageGi: 100,
        // Recorded series wait here for their 2h block upload; a few SLOs need well under 1Gi.
        rulerStorageGi: 2,
    },
    fleet: { hub: {}, gatewayReplicas: 2, certificateValidityDays: 365 },
    // Both tiers enforce the platform's NetworkPolicies (GKE Dataplane V2 always does).
    networkPolicies: { enabled: true },
} as const;

// Health checks and probes, whose access-log lines are dropped when loki.dropHealthChecks is on.
const HEALTH_CHECK_PATHS = ["/healthz", "/readyz", "/livez", "/ready", "/health", "/metrics"];

export const TIER_PRESETS: Readonly<Record<Tier, TierPreset>> = {
    minimal: {
        ...structuredClone(shared),
        metricsBackend: "prometheus",
        limits: structuredClone(limitsByTier.minimal),
        storage: { diskType: "pd-balanced", lifecycleMarginDays: 7, stateHistoryDays: 30, protectBuckets: false },
        retention: { metricsDays: 15, logsDays: 30, tracesDays: 7 },
        prometheus: { replicas: 1, scrapeInterval: "30s", retentionDays: 15, storageGi: 20 },
        alertmanager: { replicas: 1, storageGi: 1, retentionHours: 120 },
        grafana: { storageGi: 5, ingress: { enabled: false, className: "gce-internal", access: "private-network" } },
        argocd: { highAvailability: false },
        resources: minimalResources,
        // Cost estimate assumptions: a small cluster (about what 1Gi of Prometheus memory holds).
        cost: {
            compute: "e2-standard-4",
            activeSeries: 100_000,
            logsGbPerDay: 2,
            tracesGbPerDay: 0.5,
            // No buckets in this tier.
            storageClassAOpsPerMonth: 0,
            storageClassBOpsPerMonth: 0,
        },
        // One Loki on its disk (filesystem storage cannot be shared), no caches.
        loki: { ...shared.loki, deploymentMode: "Monolithic", replicas: 1, gatewayReplicas: 1, caches: false, dropHealthChecks: true, healthCheckPaths: [...HEALTH_CHECK_PATHS] },
        // Keep every trace: a development cluster's volume is small and each trace is worth seeing.
        otel: {
            sampling: { slowTraceThresholdMs: 1000, probabilisticPercent: 100, decisionWaitSeconds: 10 },
            instrumentationSamplingRatio: 1,
        },
    },
    "long-term": {
        ...structuredClone(shared),
        metricsBackend: "mimir",
        limits: structuredClone(limitsByTier["long-term"]),
        storage: { diskType: "pd-balanced", lifecycleMarginDays: 7, stateHistoryDays: 90, protectBuckets: true },
        // 13 months of metrics: a year-over-year comparison still has last year's month.
        retention: { metricsDays: 395, logsDays: 30, tracesDays: 7 },
        // Two replicas so a node drain never stops scraping; the local window only bridges the
        // long-term store's ingestion and serves the most recent queries.
        prometheus: { replicas: 2, scrapeInterval: "30s", retentionDays: 7, storageGi: 50 },
        alertmanager: { replicas: 3, storageGi: 2, retentionHours: 120 },
        grafana: { storageGi: 10, ingress: { enabled: false, className: "gce-internal", access: "private-network" } },
        argocd: { highAvailability: true },
        resources: longTermResources,
        // Cost estimate assumptions: a few hundred thousand series (what Prometheus is sized for above);
        // 20 GB of logs a day is what one monolithic Loki serves. Mimir, Loki and Tempo write a
        // block or chunk object per tenant every few minutes to hours (Class A) and their queriers
        // and store gateways read many more (Class B).
        cost: {
            compute: "e2-standard-4",
            activeSeries: 500_000,
            logsGbPerDay: 20,
            tracesGbPerDay: 5,
            storageClassAOpsPerMonth: 2_000_000,
            storageClassBOpsPerMonth: 10_000_000,
        },
        // Monolithic HA: three replicas replicating each stream three times, sharing the buckets,
        // behind two gateways so a node drain never stops pushes.
        loki: { ...shared.loki, deploymentMode: "Monolithic", replicas: 3, gatewayReplicas: 2, caches: true, dropHealthChecks: true, healthCheckPaths: [...HEALTH_CHECK_PATHS] },
        otel: {
            sampling: { slowTraceThresholdMs: 1000, probabilisticPercent: 10, decisionWaitSeconds: 10 },
            instrumentationSamplingRatio: 1,
        },
    },
};

/** Metrics backends each tier can run: minimal keeps everything on disks, long-term needs object storage. */
export const BACKENDS_BY_TIER: Readonly<Record<Tier, readonly MetricsBackend[]>> = {
    minimal: ["prometheus"],
    "long-term": ["mimir", "thanos"],
};

/** Prometheus' size-based retention must leave room for the WAL and compaction on its volume. */
export const MAX_RETENTION_SIZE_SHARE = 0.85;

export interface RetentionCaps {
    /** Days of metrics, logs and traces the tier's stores keep at most (a bucket's lifecycle margin included). */
    readonly metrics: number;
    readonly logs: number;
    readonly traces: number;
    /** Days a Prometheus keeps on its own disk (prometheus.retentionDays, remoteWrite.localRetentionDays). */
    readonly prometheusDisk: number;
}

// The most days each tier keeps a signal: beyond these a retention is a typo or belongs to another
// tier. policy/policies.ts (RETENTION_LIMIT_DAYS) holds the deployed plan to the same numbers.
export const RETENTION_CAPS_DAYS: Readonly<Record<Tier, RetentionCaps>> = {
    minimal: {
        // Prometheus' 20Gi disk: a 30-day SLO period plus a few days, weeks not months.
        metrics: 35,
        // One Loki on one 100Gi disk: a month of a small cluster's logs.
        logs: 35,
        // Tempo's 50Gi disk fills fastest; traces are looked at within days of a request.
        traces: 14,
        prometheusDisk: 35,
    },
    "long-term": {
        // 13 months (year-over-year) plus a month for the bucket's lifecycle margin.
        metrics: 425,
        // 13 months plus margin, like metrics: audits commonly ask for a year of logs.
        logs: 425,
        // A month of traces plus margin; exemplars older than that link to nothing useful.
        traces: 45,
        // The local window only bridges the store; its history is the store's.
        prometheusDisk: 35,
    },
};
