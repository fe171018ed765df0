// The pods each release runs and what each asks the scheduler for: replicas (or one per node for a
// DaemonSet) and every container's requests, from the settings and the fixed replica counts below,
// which the values modules read from here. The plan's summary and the cost estimate sum these
// (tools/offline/footprint.ts); test/platform-model.test.ts holds them to the pods Helm renders.
import type { Settings, Workload } from "../config/schema";

/** Loki's Distributed components (Monolithic runs only `singleBinary`, `loki.replicas` of it). */
export const LOKI_DISTRIBUTED_REPLICAS = {
    ingester: 3,
    distributor: 2,
    querier: 2,
    queryFrontend: 2,
    queryScheduler: 2,
    indexGateway: 2,
    compactor: 1,
    ruler: 1,
} as const;

/** Argo CD's stateless components (server, repo server, ApplicationSet controller): two when HA. */
export const argoCdReplicas = (settings: Settings): number => (settings.argocd.highAvailability ? 2 : 1);

/** Redis and HAProxy pods of the redis-ha subchart: its default, which the values leave alone. */
export const ARGOCD_REDIS_HA_REPLICAS = 3;

/** Mimir's query schedulers: two, so queries queue through a restart of either. */
export const MIMIR_QUERY_SCHEDULER_REPLICAS = 2;

/**
 * The OpenTelemetry gateway: one replica, on purpose. Tail sampling must see every span of a trace in one collector. A second
 * replica behind the Service would split traces and sample each half on its own. The gateway's load
 * (one hub) fits one pod; beyond it, put a loadbalancing-exporter tier (routing by trace id) in
 * front of a sampler StatefulSet instead of raising this number.
 */
export const OTEL_GATEWAY_REPLICAS = 1;

/** One container of a pod: the settings entry it takes its resources from, and its requests. */
export interface ContainerModel {
    /** The key of `resources` in the stack settings. */
    readonly resources: Workload;
    readonly cpu: string;
    readonly memory: string;
}

export interface WorkloadModel {
    /** The component ("prometheus", "node-exporter", "ingester"). */
    readonly name: string;
    /** Its pods: replicas, or one per node for a DaemonSet. */
    readonly pods: number | "per-node";
    /** The containers of each pod that request resources (init containers and jobs are left out: they end). */
    readonly containers: readonly ContainerModel[];
}

/** Components a values module runs as exactly one pod: single-writer stores and controllers. */
const ONE = 1;

/** A workload whose containers take `resources` entries of the settings. */
function pods(settings: Settings, name: string, count: number | "per-node", ...containers: Workload[]): WorkloadModel {
    return {
        name,
        pods: count,
        containers: containers.map((key) => ({ resources: key, cpu: settings.resources[key].requests.cpu, memory: settings.resources[key].requests.memory })),
    };
}

/**
 * kube-prometheus-stack: the operator's pods (Prometheus, Alertmanager, the Thanos Ruler) each with the
 * operator's config reloader beside the main container, and the chart's own Deployments and DaemonSet.
 */
export function kubePrometheusStackWorkloads(settings: Settings, on: { hub: boolean; thanosSidecar: boolean; thanosRuler: boolean }): WorkloadModel[] {
    const reloader: Workload = "prometheusConfigReloader";
    const prometheusContainers: Workload[] = ["prometheus", reloader, ...(on.thanosSidecar ? (["thanosSidecar"] as const) : [])];
    return [
        pods(settings, "prometheus", settings.prometheus.replicas, ...prometheusContainers),
        pods(settings, "prometheus-operator", ONE, "prometheusOperator"),
        pods(settings, "kube-state-metrics", ONE, "kubeStateMetrics"),
        pods(settings, "node-exporter", "per-node", "nodeExporter"),
        // Alerting and Grafana run on the hub; Grafana keeps SQLite on one disk, with its two sidecars.
        ...(on.hub
            ? [
                  pods(settings, "alertmanager", settings.alertmanager.replicas, "alertmanager", reloader),
                  pods(settings, "grafana", ONE, "grafana", "grafanaSidecar", "grafanaSidecar"),
              ]
            : []),
        ...(on.hub && on.thanosRuler ? [pods(settings, "thanos-ruler", ONE, "thanosRuler", reloader)] : []),
    ];
}

export function argoCdWorkloads(settings: Settings): WorkloadModel[] {
    const replicas = argoCdReplicas(settings);
    const redis = settings.argocd.highAvailability
        ? [pods(settings, "redis-ha", ARGOCD_REDIS_HA_REPLICAS, "argocdRedis"), pods(settings, "redis-ha-haproxy", ARGOCD_REDIS_HA_REPLICAS, "argocdRedis")]
        : [pods(settings, "redis", ONE, "argocdRedis")];
    return [
        // One active shard by design.
        pods(settings, "application-controller", ONE, "argocdController"),
        pods(settings, "server", replicas, "argocdServer"),
        pods(settings, "repo-server", replicas, "argocdRepoServer"),
        pods(settings, "applicationset-controller", replicas, "argocdApplicationSet"),
        pods(settings, "notifications-controller", ONE, "argocdNotifications"),
        pods(settings, "dex-server", ONE, "argocdDex"),
        ...redis,
    ];
}

export function lokiWorkloads(settings: Settings): WorkloadModel[] {
    // The rules sidecar runs beside whichever component evaluates rules: the single binary, or the ruler.
    const loki =
        settings.loki.deploymentMode === "Distributed"
            ? Object.entries(LOKI_DISTRIBUTED_REPLICAS).map(([name, replicas]) =>
                  name === "ruler" ? pods(settings, name, replicas, "loki", "lokiRulesSidecar") : pods(settings, name, replicas, "loki"),
              )
            : [pods(settings, "single-binary", settings.loki.replicas, "loki", "lokiRulesSidecar")];
    return [
        ...loki,
        pods(settings, "gateway", settings.loki.gatewayReplicas, "lokiGateway"),
        ...(settings.loki.caches ? [pods(settings, "chunks-cache", ONE, "lokiChunksCache"), pods(settings, "results-cache", ONE, "lokiResultsCache")] : []),
    ];
}

export function mimirWorkloads(settings: Settings): WorkloadModel[] {
    const m = settings.mimir;
    return [
        pods(settings, "distributor", m.distributorReplicas, "mimirDistributor"),
        pods(settings, "ingester", m.ingesterReplicas, "mimirIngester"),
        pods(settings, "querier", m.querierReplicas, "mimirQuerier"),
        pods(settings, "query-frontend", m.queryFrontendReplicas, "mimirQueryFrontend"),
        pods(settings, "query-scheduler", MIMIR_QUERY_SCHEDULER_REPLICAS, "mimirQueryScheduler"),
        pods(settings, "store-gateway", m.storeGatewayReplicas, "mimirStoreGateway"),
        pods(settings, "compactor", ONE, "mimirCompactor"),
        pods(settings, "ruler", ONE, "mimirRuler"),
        pods(settings, "alertmanager", ONE, "mimirAlertmanager"),
        pods(settings, "gateway", m.gatewayReplicas, "mimirGateway"),
    ];
}

export function thanosWorkloads(settings: Settings): WorkloadModel[] {
    const t = settings.thanos;
    return [
        pods(settings, "query", t.queryReplicas, "thanosQuery"),
        pods(settings, "query-frontend", t.queryFrontendReplicas, "thanosQueryFrontend"),
        pods(settings, "store-gateway", t.storeGatewayReplicas, "thanosStoreGateway"),
        // The only deleter of the bucket: one at a time.
        pods(settings, "compactor", ONE, "thanosCompactor"),
    ];
}

/** Alloy's pods: the controller with the chart's config reloader beside it. */
export const alloyWorkloads = (settings: Settings, name: string, count: number | "per-node", alloy: Workload): WorkloadModel[] => [
    pods(settings, name, count, alloy, "alloyConfigReloader"),
];

/** A release of one Deployment with one container. */
export const singleWorkload = (settings: Settings, name: string, resources: Workload, count = ONE): WorkloadModel[] => [pods(settings, name, count, resources)];

export const otelGatewayWorkloads = (settings: Settings): WorkloadModel[] => singleWorkload(settings, "collector", "otelGateway", OTEL_GATEWAY_REPLICAS);

/** The fleet gateway: a Deployment the program creates itself on the hub of a fleet (fleet/install.ts). */
export const fleetGatewayWorkloads = (settings: Settings): WorkloadModel[] => singleWorkload(settings, "fleet-gateway", "fleetGateway", settings.fleet.gatewayReplicas);
