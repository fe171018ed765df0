// The shape of the resolved settings: what a stack's config must look like once its tier preset has
// been merged under it. Every object is strict, so a misspelt key is an error rather than a silently
// ignored setting.
import { z } from "zod";
import type { DeepReadonly } from "./deep-readonly";
import { RESERVED_NAMESPACES, shortName } from "../kubernetes/names";
import { alertingSchema, slosSchema } from "./slos";
import { scrapeSchema } from "./scrape";
import { certManagerSchema } from "./cert-manager";
import { scrapeAnnotationsSchema } from "./scrape-annotations";
import { redisSchema } from "./redis";
import { adoptSchema } from "./adoption";
import { limitsSchema } from "./limits";
import { probesSchema } from "./probes";
import { logAlertsSchema } from "./log-alerts";
import { GRAFANA_ACCESS, ingressClassName, MAX_ALLOWLIST_ENTRIES, sourceRange } from "./grafana-exposure";

export const TIERS = ["minimal", "long-term"] as const;
export const METRICS_BACKENDS = ["prometheus", "mimir", "thanos"] as const;
export const DISK_TYPES = ["pd-balanced", "pd-ssd", "pd-standard"] as const;
export const CLUSTER_ROLES = ["hub", "spoke"] as const;
export const LOKI_DEPLOYMENT_MODES = ["Monolithic", "Distributed"] as const;

// Kubernetes object names (RFC 1123 labels) and GKE cluster names share this shape.
const dnsLabel = shortName("a lowercase DNS label: letters, digits and '-', starting with a letter, at most 40 characters");

/**
 * A namespace the platform creates and owns, with its labels and default-deny policies: never one
 * of the namespaces Kubernetes itself keeps.
 */
const platformNamespace = dnsLabel.refine((n) => !RESERVED_NAMESPACES.includes(n), {
    error: `a namespace of the platform's own, not one Kubernetes keeps (${RESERVED_NAMESPACES.join(", ")})`,
});

const gcpProjectId = z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, {
    error: "a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter",
});

// Region numbers run to two digits (europe-west10, me-central2).
const gcpLocation = z.string().regex(/^[a-z]+-[a-z]+[0-9]{1,2}(-[a-z])?$/, {
    error: "a GCP region or zone such as \"us-central1\" or \"us-central1-a\"",
});

const gcpRegion = z.string().regex(/^[a-z]+-[a-z]+[0-9]{1,2}$/, {
    error: "a GCP region such as \"us-central1\" (not a zone)",
});

const cpuQuantity = z.string().regex(/^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/, {
    error: "a CPU quantity such as \"250m\" or \"1.5\"",
});

const memoryQuantity = z.string().regex(/^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/, {
    error: "a memory quantity in binary units such as \"512Mi\" or \"2Gi\"",
});

const duration = z.string().regex(/^[1-9][0-9]*(s|m|h)$/, {
    error: "a duration in seconds, minutes or hours such as \"30s\", \"5m\" or \"1h\"",
});

const positiveInt = (what: string) =>
    z.number({ error: `a whole number of ${what}` }).int({ error: `a whole number of ${what}` }).positive({
        error: `a positive number of ${what}`,
    });

/** A persistent disk's size: GCE's largest is 64 TiB. */
const diskGi = positiveInt("GiB").max(65536, { error: "at most 65536 GiB (64 TiB, the largest persistent disk)" });

/** A retention in days. Its upper bound depends on the tier and the signal: RETENTION_CAPS_DAYS in tiers.ts. */
const retentionDays = positiveInt("days");

/** Days a bucket's lifecycle rule waits beyond its store's retention: a month is ample time to notice a store deleting too early. */
export const MAX_LIFECYCLE_MARGIN_DAYS = 30;

// Cost estimate inputs: money arithmetic is exact, so decimals are limited to three places.
const nonNegativeDecimal = (what: string) =>
    z
        .number({ error: `a number of ${what} (at most 3 decimals)` })
        .min(0, { error: `zero or more ${what}` })
        .refine((v) => Number.isFinite(v) && Math.round(v * 1000) === v * 1000, {
            error: `a number of ${what} with at most 3 decimals`,
        });

const nonNegativeInt = (what: string) =>
    z.number({ error: `a whole number of ${what}` }).int({ error: `a whole number of ${what}` }).min(0, {
        error: `zero or more ${what}`,
    });

const replicas = z
    .number({ error: "a whole number of replicas" })
    .int({ error: "a whole number of replicas" })
    .min(1, { error: "at least 1 replica" })
    .max(10, { error: "at most 10 replicas" });

const hostname = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, {
    error: "a fully qualified host name such as \"grafana.example.com\"",
});

/** CPU cores of a quantity ("250m" -> 0.25). */
const cores = (q: string): number => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
/** Bytes of a binary memory quantity ("512Mi"). */
const bytes = (q: string): number => Number(q.slice(0, -2)) * 1024 ** ["Ki", "Mi", "Gi", "Ti"].indexOf(q.slice(-2)) * 1024;

export const resourceSpecSchema = z
    .strictObject({
        requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
        // CPU limits are optional on purpose: throttling hurts query latency more than it protects the
        // node. Memory limits are always set so a runaway process is killed instead of its neighbours.
        limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity }),
    })
    // Kubernetes refuses a pod whose limit is below its request.
    .superRefine((r, ctx) => {
        if (bytes(r.limits.memory) < bytes(r.requests.memory)) {
            ctx.addIssue({ code: "custom", path: ["limits", "memory"], message: `a memory limit at least the request (${r.requests.memory})` });
        }
        if (r.limits.cpu !== undefined && cores(r.limits.cpu) < cores(r.requests.cpu)) {
            ctx.addIssue({ code: "custom", path: ["limits", "cpu"], message: `a CPU limit at least the request (${r.requests.cpu}), or none` });
        }
    });

// Every workload the platform runs, by the key used in `resources`. Later pillars add theirs here.
export const WORKLOADS = [
    "prometheus",
    "alertmanager",
    "prometheusOperator",
    "prometheusConfigReloader",
    "kubeStateMetrics",
    "nodeExporter",
    "grafana",
    "grafanaSidecar",
    "argocdController",
    "argocdServer",
    "argocdRepoServer",
    "argocdApplicationSet",
    "argocdNotifications",
    "argocdDex",
    "argocdRedis",
    // Logs and traces pillars.
    "loki",
    "lokiGateway",
    "lokiChunksCache",
    "lokiResultsCache",
    "alloy",
    "alloyConfigReloader",
    "tempo",
    "otelGateway",
    "otelOperator",
    // Long-term metrics (Mimir or Thanos on the hub) and the fleet gateway (issue 4).
    "mimirDistributor",
    "mimirIngester",
    "mimirQuerier",
    "mimirQueryFrontend",
    "mimirQueryScheduler",
    "mimirStoreGateway",
    "mimirCompactor",
    "mimirRuler",
    "mimirAlertmanager",
    "mimirGateway",
    // Loads the SLO PrometheusRules into Mimir's ruler (Alloy's mimir.rules.kubernetes, issue 13).
    "alloyRules",
    "thanosQuery",
    "thanosQueryFrontend",
    "thanosStoreGateway",
    "thanosCompactor",
    "thanosSidecar",
    // Evaluates the SLO recordings that read more than a cluster's local window (issue 13).
    "thanosRuler",
    "fleetGateway",
    // Presets: one redis_exporter per instance of `redis`.
    "redisExporter",
    // Probes: the hub's blackbox exporter (metrics/blackbox-exporter.ts).
    "blackboxExporter",
    // Events and log alerts (logs/alloy.ts, logs/loki.ts): the single-replica events Alloy and the
    // sidecar that loads the rule ConfigMaps into Loki's ruler.
    "alloyEvents",
    "lokiRulesSidecar",
] as const;
export type Workload = (typeof WORKLOADS)[number];

const resourcesSchema = z.strictObject(
    Object.fromEntries(WORKLOADS.map((w) => [w, resourceSpecSchema])) as Record<
        Workload,
        typeof resourceSpecSchema
    >,
);

// Long-term metrics and the fleet (issue 4).
const ipv4 = z.string().regex(/^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/, {
    error: "an IPv4 address such as \"10.128.0.50\"",
});

/** Whether an IPv4 address is in a private range (RFC 1918, or the RFC 6598 shared range GKE may use). */
export function isPrivateIpv4(address: string): boolean {
    const [a, b] = address.split(".").map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

/** The internal load balancer's address: a private one, or it would not be internal. */
const privateIpv4 = ipv4.refine(isPrivateIpv4, {
    error: "a private IPv4 address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10) for the internal load balancer",
});

/** Prometheus' remote-write queue (prometheus-operator QueueConfig) and the local window kept meanwhile. */
const remoteWriteSchema = z.strictObject({
    // Days of local TSDB kept by a Prometheus that remote-writes (the store has the history).
    localRetentionDays: retentionDays,
    queue: z.strictObject({
        capacity: positiveInt("samples"),
        minShards: positiveInt("shards"),
        maxShards: positiveInt("shards"),
        maxSamplesPerSend: positiveInt("samples"),
        batchSendDeadline: duration,
        minBackoff: z.string().regex(/^[1-9][0-9]*(ms|s)$/, { error: "a duration such as \"30ms\" or \"1s\"" }),
        maxBackoff: duration,
    }),
});

const mimirSchema = z.strictObject({
    ingesterReplicas: replicas,
    ingesterStorageGi: diskGi,
    distributorReplicas: replicas,
    querierReplicas: replicas,
    queryFrontendReplicas: replicas,
    storeGatewayReplicas: replicas,
    storeGatewayStorageGi: diskGi,
    compactorStorageGi: diskGi,
    alertmanagerStorageGi: diskGi,
    gatewayReplicas: replicas,
    // Per-tenant limits: the stack is one tenant, so these bound the whole fleet's metrics.
    maxGlobalSeriesPerTenant: positiveInt("series"),
    // One metric name's share of them: a label gone wild on one metric is refused before it takes the tenant.
    maxGlobalSeriesPerMetric: positiveInt("series"),
    ingestionRateSamplesPerSecond: positiveInt("samples per second"),
    // Exemplars (trace ids on histogram samples) kept in memory for the tenant; 0 drops them, and
    // with them the metric-to-trace links of the dashboards.
    maxGlobalExemplarsPerTenant: nonNegativeInt("exemplars"),
});

const thanosSchema = z.strictObject({
    // Days each resolution is kept; 1h-downsampled data is kept for retention.metricsDays.
    rawRetentionDays: retentionDays,
    fiveMinuteRetentionDays: retentionDays,
    queryReplicas: replicas,
    queryFrontendReplicas: replicas,
    storeGatewayReplicas: replicas,
    storeGatewayStorageGi: diskGi,
    compactorStorageGi: diskGi,
    // The Thanos Ruler's own TSDB: its recorded series until they are uploaded, and its alert state.
    rulerStorageGi: diskGi,
});

const fleetSchema = z.strictObject({
    // The hub's fleet gateway: the one authenticated TLS endpoint spokes push metrics, logs, traces
    // and alerts to. Required as soon as the stack has a spoke.
    hub: z.strictObject({
        // DNS name the spokes resolve to the gateway's internal load balancer (also the TLS name).
        host: hostname.optional(),
        // Reserved internal address for the load balancer; without it GKE picks one.
        loadBalancerIP: privateIpv4.optional(),
    }),
    gatewayReplicas: replicas,
    // Days the generated server certificate is valid; `pulumi up` renews it in its last 30 days.
    certificateValidityDays: z
        .number({ error: "a whole number of days" })
        .int({ error: "a whole number of days" })
        .min(60, { error: "at least 60 days" })
        .max(825, { error: "at most 825 days" }),
});

export const clusterSchema = z.strictObject({
    name: dnsLabel,
    location: gcpLocation,
    project: gcpProjectId,
    role: z.enum(CLUSTER_ROLES, { error: 'one of "hub" | "spoke"' }),
    // Releases and namespaces installed outside this program that it takes over (config/adoption.ts).
    adopt: adoptSchema.optional(),
});

// The tenant id of Mimir, Loki and Tempo: letters, digits and "-_." (a subset of what the stores
// accept, safe in an HTTP header and in the fleet gateway's nginx configuration).
const tenantId = z.string({ error: "a tenant id" }).regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,149}$/, {
    error: 'a tenant id of at most 150 letters, digits, "-", "_" or ".", starting with a letter or digit, such as "acme-prod"',
});

export const settingsSchema = z.strictObject({
    stack: z.string().min(1),
    // Every signal's tenant in the multi-tenant stores (Mimir, Loki, Tempo). Default: the stack's name.
    tenant: tenantId,
    project: gcpProjectId,
    region: gcpRegion,
    tier: z.enum(TIERS, { error: 'one of "minimal" | "long-term"' }),
    // Lets one deployment delete stored data the data-loss guard would refuse (components/data-loss).
    // A top-level key reaches the program as text ("true"), a preset's as a boolean.
    allowDataLoss: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: "true or false" }),
    metricsBackend: z.enum(METRICS_BACKENDS, { error: 'one of "prometheus" | "mimir" | "thanos"' }),
    clusters: z.array(clusterSchema, { error: "a list of clusters" }).min(1, {
        error: "at least one cluster (exactly one with role hub)",
    }),
    namespaces: z.strictObject({
        monitoring: platformNamespace,
        logging: platformNamespace,
        tracing: platformNamespace,
        gitops: platformNamespace,
    }),
    storage: z.strictObject({
        diskType: z.enum(DISK_TYPES, { error: 'one of "pd-balanced" | "pd-ssd" | "pd-standard"' }),
        // Days a bucket's lifecycle rule waits beyond the store's own retention before deleting.
        lifecycleMarginDays: positiveInt("days").max(MAX_LIFECYCLE_MARGIN_DAYS, { error: `at most ${MAX_LIFECYCLE_MARGIN_DAYS} days` }),
        // Days the object history of state buckets (rules, alertmanager state) is kept.
        stateHistoryDays: positiveInt("days"),
        protectBuckets: z.boolean({ error: "true or false" }),
    }),
    retention: z.strictObject({
        metricsDays: retentionDays,
        logsDays: retentionDays,
        tracesDays: retentionDays,
    }),
    prometheus: z.strictObject({
        replicas,
        scrapeInterval: duration,
        retentionDays,
        storageGi: diskGi,
        retentionSizeGi: diskGi,
    }),
    alertmanager: z.strictObject({
        replicas,
        storageGi: diskGi,
        retentionHours: positiveInt("hours"),
    }),
    grafana: z.strictObject({
        storageGi: diskGi,
        ingress: z.strictObject({
            enabled: z.boolean({ error: "true or false" }),
            host: hostname.optional(),
            // Which controller builds the load balancer; the tier default is GKE's VPC-only one.
            className: ingressClassName,
            tlsSecretName: dnsLabel.optional(),
            // Who may reach Grafana's login page (config/grafana-exposure.ts).
            access: z.enum(GRAFANA_ACCESS, { error: `one of ${GRAFANA_ACCESS.map((a) => `"${a}"`).join(" | ")}` }),
            iapOAuthSecretName: dnsLabel.optional(),
            allowlist: z
                .array(sourceRange, { error: 'a list of source ranges such as ["203.0.113.0/24"]' })
                .max(MAX_ALLOWLIST_ENTRIES, { error: `at most ${MAX_ALLOWLIST_ENTRIES} source ranges` })
                .optional(),
        }),
    }),
    loki: z.strictObject({
        storageGi: diskGi,
        // Logs and traces pillars: deployment, replication and caches of the log store.
        deploymentMode: z.enum(LOKI_DEPLOYMENT_MODES, { error: 'one of "Monolithic" | "Distributed"' }),
        replicas,
        // The nginx gateway in front of the log store: every push and query passes it.
        gatewayReplicas: replicas,
        caches: z.boolean({ error: "true or false" }),
        // Pod log lines whose HTTP path matches one of these (health checks, probes) are dropped.
        dropHealthChecks: z.boolean({ error: "true or false" }),
        healthCheckPaths: z.array(z.string().regex(/^\/[-A-Za-z0-9_./]*$/, { error: 'an HTTP path such as "/healthz"' }), {
            error: 'a list of HTTP paths such as ["/healthz", "/ready"]',
        }),
    }),
    tempo: z.strictObject({ storageGi: diskGi }),
    argocd: z.strictObject({ highAvailability: z.boolean({ error: "true or false" }) }),
    // Default-deny ingress NetworkPolicies in the platform namespaces (cluster/network-policies.ts).
    // Off for a CNI that does not enforce them, or to roll the platform out before its policies.
    networkPolicies: z.strictObject({ enabled: z.boolean({ error: "true or false" }) }),
    resources: resourcesSchema,
    // Cost estimate (npm run cost): how compute is bought and the usage the estimate assumes.
    cost: z.strictObject({
        compute: z.string().regex(/^(autopilot|[a-z][a-z0-9]*-[a-z]+[0-9]*-[0-9]+)$/, {
            error: '"autopilot" or a GCE machine type such as "e2-standard-4"',
        }),
        activeSeries: positiveInt("active series"),
        logsGbPerDay: nonNegativeDecimal("GB of logs ingested per day"),
        tracesGbPerDay: nonNegativeDecimal("GB of spans ingested per day"),
        storageClassAOpsPerMonth: nonNegativeInt("Cloud Storage Class A operations per month"),
        storageClassBOpsPerMonth: nonNegativeInt("Cloud Storage Class B operations per month"),
    }),
    // SRE layer: the services' SLOs and where alerts go (secrets are not settings: see config/secrets.ts).
    slos: slosSchema,
    alerting: alertingSchema,
    // Application targets the hub's Prometheus scrapes, one job each (config/scrape.ts).
    scrape: scrapeSchema,
    // The cert-manager the cluster already runs: its ServiceMonitor and certificate alerts (metrics/cert-manager.ts).
    certManager: certManagerSchema,
    // Opt-in discovery of pods annotated prometheus.io/scrape, on every cluster by default (config/scrape-annotations.ts).
    scrapeAnnotations: scrapeAnnotationsSchema,
    // Redis instances watched through an exporter each, with the Redis alerts (config/redis.ts).
    redis: redisSchema,
    // Cardinality and volume limits of scrape targets and Loki, and when their alerts warn (config/limits.ts).
    limits: limitsSchema,
    // URLs the hub's blackbox exporter probes, one job each (config/probes.ts).
    probes: probesSchema,
    // LogQL alerts evaluated by Loki's ruler on the hub, routed by severity (logs/log-alerts.ts).
    logAlerts: logAlertsSchema,
    // Logs and traces pillars: the OpenTelemetry gateway's sampling and the auto-instrumentation.
    otel: z.strictObject({
        sampling: z.strictObject({
            // Traces slower than this are always kept (errors are always kept too).
            slowTraceThresholdMs: positiveInt("milliseconds"),
            // Share of the remaining traces kept, in percent.
            probabilisticPercent: z
                .number({ error: "a percentage between 0 and 100" })
                .min(0, { error: "a percentage between 0 and 100" })
                .max(100, { error: "a percentage between 0 and 100" }),
            // Seconds the gateway waits for a trace's spans before deciding.
            decisionWaitSeconds: positiveInt("seconds"),
        }),
        // Head sampling ratio of auto-instrumented SDKs (parentbased_traceidratio).
        instrumentationSamplingRatio: z
            .number({ error: "a ratio between 0 and 1" })
            .min(0, { error: "a ratio between 0 and 1" })
            .max(1, { error: "a ratio between 0 and 1" }),
    }),
    // Long-term metrics and the fleet (issue 4).
    remoteWrite: remoteWriteSchema,
    mimir: mimirSchema,
    thanos: thanosSchema,
    fleet: fleetSchema,
});

export type Settings = DeepReadonly<z.infer<typeof settingsSchema>>;
export type ClusterSettings = Settings["clusters"][number];
export type ResourceSpec = DeepReadonly<z.infer<typeof resourceSpecSchema>>;
export type Tier = (typeof TIERS)[number];
export type MetricsBackend = (typeof METRICS_BACKENDS)[number];


/** What a stack may set: the settings without the values that come from elsewhere. */
export type TierPreset = Omit<
    z.infer<typeof settingsSchema>,
    "stack" | "tenant" | "project" | "region" | "clusters" | "tier" | "metricsBackend" | "prometheus" | "certManager" | "scrapeAnnotations"
> & {
    metricsBackend: MetricsBackend;
    // Its other keys default in the schema (metrics/cert-manager.ts).
    certManager: z.input<typeof certManagerSchema>;
    scrapeAnnotations: z.input<typeof scrapeAnnotationsSchema>;
    prometheus: Omit<z.infer<typeof settingsSchema>["prometheus"], "retentionSizeGi">;
};
