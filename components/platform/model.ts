// The platform model: once per stack, as typed data, which cluster is the hub and which are spokes,
// what each gets (every Helm release with its namespace, chart, volumes and pods, every Secret, every
// Workload Identity service account, every PrometheusRule), where each cluster's signals and alerts
// go, the buckets, and which store keeps the metrics history. ClusterPlatform creates exactly what the model lists
// (context.ts refuses anything else, and a listed release or Secret left out); the dashboards and the
// data-loss inventory read it; the offline plan writes it as model.json for reviews and tools.
import type { ChartPin } from "../charts/pins";
import { CHARTS } from "../charts/pins";
import type { ClusterSettings, Settings } from "../config/schema";
import { alertmanagerTarget, FLEET_GATEWAY_SECRETS, pushTargets, SPOKE_CREDENTIALS, tenantOf, type PushTargets } from "../fleet/endpoints";
import { objectStores, workloadIdentities, type BucketGrant, type ObjectStoreSpec } from "../gcp/stores";
import { storageClassName } from "../kubernetes/storage-class";
import { THANOS_OBJSTORE_SECRET } from "../metrics/thanos";
import { ALERTMANAGER_CONFIG_SECRET } from "../sre/alertmanager-config";
import { prometheusRules, type PrometheusRuleSpec } from "../sre/prometheus-rules";
import { backendProfile, endpointUrl, sidecarUploads, type PrometheusOnlyBackend, type StoreBackend } from "./backends";
import { RELEASES, redisExporterRelease, serviceUrl } from "./services";
import {
    LOKI_DISTRIBUTED_REPLICAS,
    alloyWorkloads,
    argoCdWorkloads,
    fleetGatewayWorkloads,
    kubePrometheusStackWorkloads,
    lokiWorkloads,
    mimirWorkloads,
    otelGatewayWorkloads,
    singleWorkload,
    thanosWorkloads,
    type WorkloadModel,
} from "./workloads";

/** A persistent volume a release claims per replica, from the platform StorageClass. */
export interface VolumeModel {
    /** The component whose data is on it ("prometheus", "ingester"). */
    readonly name: string;
    readonly sizeGi: number;
    /** Pods of the component, each with a volume of its own. */
    readonly replicas: number;
}

export interface ReleaseModel {
    /** The program's name of the release (its resource is "<cluster>-<release>"). */
    readonly release: string;
    /** The namespace it is installed in: one of the platform's, or an application's. */
    readonly namespace: string;
    readonly chart: ChartPin;
    /** Its persistent volumes; none for a stateless release. */
    readonly volumes: readonly VolumeModel[];
    /** Its pods and their requests (workloads.ts). */
    readonly workloads: readonly WorkloadModel[];
}

/** A Secret the program creates on a cluster (its data is a Pulumi secret, or derived from one). */
export interface SecretModel {
    readonly namespace: string;
    readonly name: string;
    /** What it holds, for reviews of model.json. */
    readonly holds: string;
}

/** A Kubernetes service account the platform creates, acting as a GCP service account (Workload Identity). */
export interface ServiceAccountModel {
    readonly namespace: string;
    readonly name: string;
    /** The GCP identity's key (gcp/stores.ts), its account id and its only storage access. */
    readonly identity: string;
    readonly accountId: string;
    readonly grants: readonly BucketGrant[];
}

/** The Secret holding Grafana's admin user and password, on the hub. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** Where a cluster's Prometheus sends its alerts. */
export type AlertRoute =
    | { readonly via: "local"; readonly alertmanager: string }
    | { readonly via: "fleet-gateway"; readonly host: string; readonly port: number };

export interface ClusterModel {
    readonly name: string;
    readonly role: "hub" | "spoke";
    /** The StorageClass the platform creates here, which every volume of the releases claims from. */
    readonly storageClass: string;
    readonly releases: readonly ReleaseModel[];
    /** Pods the program runs itself, outside any Helm release: the fleet gateway on a fleet's hub. */
    readonly ownWorkloads: readonly WorkloadModel[];
    /** Every Secret created here: credentials reach only the clusters that use them. */
    readonly secrets: readonly SecretModel[];
    /** The Workload Identity service accounts created here; none in the minimal tier (no buckets). */
    readonly serviceAccounts: readonly ServiceAccountModel[];
    /**
     * The PrometheusRules created here, each with the evaluator that loads it: a service's SLO rules
     * only where it runs (or, for a ruler, on the hub), the platform's alerts on each
     * cluster for what its Prometheus scrapes.
     */
    readonly rules: readonly PrometheusRuleSpec[];
    readonly signals: PushTargets;
    readonly alerts: AlertRoute;
}

/** The store of the metrics history: one case per backend, shaped by its profile (backends.ts). */
export type MetricsStore =
    | {
          readonly kind: PrometheusOnlyBackend;
          /** With spokes, the hub's Prometheus takes their samples, through the fleet gateway. */
          readonly fleetReceiver: boolean;
      }
    | { readonly kind: StoreBackend; readonly query: string; readonly rulerEvaluatesSlos: boolean };

export interface PlatformModel {
    readonly stack: string;
    readonly tenant: string;
    readonly hub: string;
    readonly spokes: readonly string[];
    readonly metrics: MetricsStore;
    /** The Cloud Storage buckets of the stack (none in the minimal tier). */
    readonly buckets: readonly ObjectStoreSpec[];
    readonly clusters: readonly ClusterModel[];
}

/**
 * The replicas of a stateful component the values run as one pod: Grafana (SQLite on one disk), Tempo's
 * monolith, the Thanos Ruler, and the compactors and Mimir's Alertmanager. The plan's values are
 * checked against these volumes (test/platform-model.test.ts).
 */
const SINGLE = 1;

/** The store, with whether its ruler evaluates any of the hub's rules (read off those rules). */
function metricsStore(settings: Settings, hubRules: readonly PrometheusRuleSpec[]): MetricsStore {
    const profile = backendProfile(settings);
    if (profile.store === null) return { kind: profile.backend, fleetReceiver: settings.clusters.some((c) => c.role === "spoke") };
    const ruler = profile.slos.ruler;
    return { kind: profile.backend, query: endpointUrl(settings, profile.store.query), rulerEvaluatesSlos: hubRules.some((r) => r.evaluator === ruler) };
}

/** The releases of one cluster: the collectors everywhere; the stores, Grafana's companions and the exporters on the hub. */
function releasesOf(settings: Settings, cluster: ClusterSettings, metrics: MetricsStore): ReleaseModel[] {
    const ns = settings.namespaces;
    const hub = cluster.role === "hub";
    const stateless = (release: string, namespace: string, chart: ChartPin, workloads: WorkloadModel[]): ReleaseModel => ({ release, namespace, chart, volumes: [], workloads });
    const thanosRuler = hub && metrics.kind === "thanos" && metrics.rulerEvaluatesSlos;
    const everywhere: ReleaseModel[] = [
        {
            release: RELEASES.kubePrometheusStack,
            namespace: ns.monitoring,
            chart: CHARTS.kubePrometheusStack,
            volumes: [
                { name: "prometheus", sizeGi: settings.prometheus.storageGi, replicas: settings.prometheus.replicas },
                // Alertmanager and Grafana run on the hub only; so does the Thanos Ruler, when it has rules.
                ...(hub
                    ? [
                          { name: "alertmanager", sizeGi: settings.alertmanager.storageGi, replicas: settings.alertmanager.replicas },
                          { name: "grafana", sizeGi: settings.grafana.storageGi, replicas: SINGLE },
                      ]
                    : []),
                ...(thanosRuler ? [{ name: "thanos-ruler", sizeGi: settings.thanos.rulerStorageGi, replicas: SINGLE }] : []),
            ],
            workloads: kubePrometheusStackWorkloads(settings, { hub, thanosSidecar: sidecarUploads(backendProfile(settings)), thanosRuler }),
        },
        stateless(RELEASES.argocd, ns.gitops, CHARTS.argoCd, argoCdWorkloads(settings)),
        // The log collector on every node; the events collector is one watch on the API server.
        stateless(RELEASES.alloyLogs, ns.logging, CHARTS.alloy, alloyWorkloads(settings, "alloy", "per-node", "alloy")),
        stateless(RELEASES.alloyEvents, ns.logging, CHARTS.alloy, alloyWorkloads(settings, "alloy", SINGLE, "alloyEvents")),
        stateless(RELEASES.otelGateway, ns.tracing, CHARTS.opentelemetryCollector, otelGatewayWorkloads(settings)),
        stateless(RELEASES.otelOperator, ns.tracing, CHARTS.opentelemetryOperator, singleWorkload(settings, "manager", "otelOperator")),
    ];
    if (!hub) return everywhere;
    const store = storeReleases(settings, metrics);
    return [
        ...everywhere,
        ...store,
        {
            release: RELEASES.loki,
            namespace: ns.logging,
            chart: CHARTS.loki,
            // Distributed, only the ingesters keep a volume (their WAL).
            volumes: [
                {
                    name: "loki",
                    sizeGi: settings.loki.storageGi,
                    replicas: settings.loki.deploymentMode === "Distributed" ? LOKI_DISTRIBUTED_REPLICAS.ingester : settings.loki.replicas,
                },
            ],
            workloads: lokiWorkloads(settings),
        },
        {
            release: RELEASES.tempo,
            namespace: ns.tracing,
            chart: CHARTS.tempo,
            volumes: [{ name: "tempo", sizeGi: settings.tempo.storageGi, replicas: SINGLE }],
            workloads: singleWorkload(settings, "tempo", "tempo"),
        },
        // Always: the platform's own certificates are probed even where no `probes` are declared.
        stateless(RELEASES.blackboxExporter, ns.monitoring, CHARTS.prometheusBlackboxExporter, singleWorkload(settings, "blackbox-exporter", "blackboxExporter")),
        // Beside each Redis instance, in its own namespace, next to the password Secret it reads.
        ...settings.redis.map((r) =>
            stateless(redisExporterRelease(r), r.namespace, CHARTS.prometheusRedisExporter, singleWorkload(settings, "redis-exporter", "redisExporter")),
        ),
    ];
}

/** The hub's releases of the metrics store: one case per backend, none where Prometheus is the store. */
function storeReleases(settings: Settings, metrics: MetricsStore): ReleaseModel[] {
    const ns = settings.namespaces;
    switch (metrics.kind) {
        case "prometheus":
            return [];
        case "mimir": {
            const m = settings.mimir;
            return [
                {
                    release: RELEASES.mimir,
                    namespace: ns.monitoring,
                    chart: CHARTS.mimirDistributed,
                    volumes: [
                        { name: "ingester", sizeGi: m.ingesterStorageGi, replicas: m.ingesterReplicas },
                        { name: "store-gateway", sizeGi: m.storeGatewayStorageGi, replicas: m.storeGatewayReplicas },
                        { name: "compactor", sizeGi: m.compactorStorageGi, replicas: SINGLE },
                        { name: "alertmanager", sizeGi: m.alertmanagerStorageGi, replicas: SINGLE },
                    ],
                    workloads: mimirWorkloads(settings),
                },
                // Alloy loads the hub's SLO PrometheusRules into Mimir's ruler.
                ...(metrics.rulerEvaluatesSlos
                    ? [
                          {
                              release: RELEASES.mimirRulesSync,
                              namespace: ns.monitoring,
                              chart: CHARTS.alloy,
                              volumes: [],
                              workloads: alloyWorkloads(settings, "alloy", SINGLE, "alloyRules"),
                          },
                      ]
                    : []),
            ];
        }
        case "thanos":
            return [
                {
                    release: RELEASES.thanos,
                    namespace: ns.monitoring,
                    chart: CHARTS.thanos,
                    volumes: [
                        { name: "store-gateway", sizeGi: settings.thanos.storeGatewayStorageGi, replicas: settings.thanos.storeGatewayReplicas },
                        { name: "compactor", sizeGi: settings.thanos.compactorStorageGi, replicas: SINGLE },
                    ],
                    workloads: thanosWorkloads(settings),
                },
            ];
    }
}

function secretsOf(settings: Settings, cluster: ClusterSettings): SecretModel[] {
    const ns = settings.namespaces;
    const spokes = settings.clusters.some((c) => c.role === "spoke");
    const thanos: SecretModel[] =
        sidecarUploads(backendProfile(settings)) ? [{ namespace: ns.monitoring, name: THANOS_OBJSTORE_SECRET.name, holds: "the Thanos sidecar's bucket configuration" }] : [];
    if (cluster.role === "hub") {
        return [
            { namespace: ns.monitoring, name: GRAFANA_ADMIN_SECRET, holds: "Grafana's admin user and generated password" },
            // Only where Alertmanager runs: the receivers' keys never reach a spoke.
            { namespace: ns.monitoring, name: ALERTMANAGER_CONFIG_SECRET, holds: "the Alertmanager configuration with the receivers' keys and URLs" },
            ...thanos,
            ...(spokes
                ? [
                      { namespace: ns.monitoring, name: FLEET_GATEWAY_SECRETS.users, holds: "the fleet gateway's users: one password hash per spoke" },
                      { namespace: ns.monitoring, name: FLEET_GATEWAY_SECRETS.tls, holds: "the fleet gateway's certificate and key" },
                  ]
                : []),
        ];
    }
    // A spoke's own credentials, in each namespace whose collectors push to the hub.
    const pushing = [...new Set([ns.monitoring, ns.logging, ns.tracing])];
    return [...thanos, ...pushing.map((namespace) => ({ namespace, name: SPOKE_CREDENTIALS.secretName, holds: "this spoke's fleet username, password and the fleet CA" }))];
}

function alertRoute(settings: Settings, cluster: ClusterSettings): AlertRoute {
    if (cluster.role === "hub") return { via: "local", alertmanager: serviceUrl(settings, "alertmanager", "web") };
    const target = alertmanagerTarget(settings, cluster);
    // Ruled out by validation: a stack with spokes names the hub's endpoint.
    if (!target) throw new Error(`cluster ${cluster.name} is a spoke but fleet.hub.host is not set`);
    return { via: "fleet-gateway", ...target };
}

/** The model of a validated stack: pure, computed once (index.ts), read by the guard and every cluster. */
export function resolvePlatform(settings: Settings): PlatformModel {
    const hub = settings.clusters.find((c) => c.role === "hub");
    // Ruled out by validation: exactly one cluster is the hub.
    if (!hub) throw new Error("no cluster has role hub");
    // Computed once per cluster: the hub's also tell whether a store's ruler has work.
    const rules = new Map(settings.clusters.map((c) => [c.name, prometheusRules(settings, c.name)]));
    const metrics = metricsStore(settings, rules.get(hub.name)!);
    const identities = workloadIdentities(settings);
    return {
        stack: settings.stack,
        tenant: tenantOf(settings),
        hub: hub.name,
        spokes: settings.clusters.filter((c) => c.role === "spoke").map((c) => c.name),
        metrics,
        buckets: objectStores(settings),
        clusters: settings.clusters.map((cluster) => ({
            name: cluster.name,
            role: cluster.role,
            storageClass: storageClassName(settings),
            releases: releasesOf(settings, cluster, metrics),
            // The gateway authenticates the spokes: a fleet's hub runs it, nobody else.
            ownWorkloads: cluster.role === "hub" && settings.clusters.some((c) => c.role === "spoke") ? fleetGatewayWorkloads(settings) : [],
            secrets: secretsOf(settings, cluster),
            serviceAccounts: identities.flatMap((identity) =>
                identity.kubernetesServiceAccounts
                    .filter((k) => k.cluster === cluster.name)
                    .map((k) => ({ namespace: k.namespace, name: k.name, identity: identity.key, accountId: identity.accountId, grants: identity.grants })),
            ),
            rules: rules.get(cluster.name)!,
            signals: pushTargets(settings, cluster),
            alerts: alertRoute(settings, cluster),
        })),
    };
}

/** Whether any of a cluster's PrometheusRules is loaded by `evaluator` (a ruler runs only then). */
export const evaluates = (cluster: ClusterModel, evaluator: PrometheusRuleSpec["evaluator"]): boolean => cluster.rules.some((r) => r.evaluator === evaluator);

/** The model as model.json carries it: charts as "<chart>@<version>" from their repository. */
export function modelDocument(model: PlatformModel): unknown {
    return {
        ...model,
        clusters: model.clusters.map((c) => ({
            ...c,
            releases: c.releases.map((r) => ({
                release: r.release,
                namespace: r.namespace,
                chart: `${r.chart.chart}@${r.chart.version}`,
                repository: r.chart.repo,
                ...(r.volumes.length > 0 ? { volumes: r.volumes } : {}),
                workloads: r.workloads,
            })),
            // The rules' names, evaluators and group names; their text is in the plan's rules/ files.
            rules: c.rules.map((r) => ({ name: r.name, evaluator: r.evaluator, evaluatedBy: r.evaluatedBy, groups: r.groups.map((g) => g.name) })),
        })),
    };
}
