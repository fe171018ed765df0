// Where a cluster's Prometheus sends its samples and alerts, as an overlay on the kube-prometheus-stack
// values: remote-write to Mimir (tenant header, tuned queue), to the hub's Prometheus, or a Thanos
// sidecar uploading blocks; on a spoke, collection only (no Grafana, no Alertmanager).
import type { ClusterSettings, Settings } from "../config/schema";
import { alertmanagerTarget, pushTargets, SPOKE_CREDENTIALS } from "../fleet/endpoints";
import { containerResources } from "../kubernetes/resources";
import { localRetentionDays } from "../sre/evaluation";
import { THANOS_IMAGE_REF, THANOS_OBJSTORE_SECRET } from "./thanos";

/** Where prometheus-operator mounts the Secrets listed in `prometheusSpec.secrets`. */
const mountedSecret = (name: string, key: string) => `/etc/prometheus/secrets/${name}/${key}`;

/** Whether this cluster's Prometheus remote-writes its samples (then it keeps a short local window). */
export function remoteWrites(settings: Settings, cluster: ClusterSettings): boolean {
    return pushTargets(settings, cluster).metricsRemoteWrite !== null;
}

/** The `prometheus.prometheusSpec.remoteWrite` entries (prometheus-operator RemoteWriteSpec). */
export function remoteWriteSpecs(settings: Settings, cluster: ClusterSettings) {
    const targets = pushTargets(settings, cluster);
    if (targets.metricsRemoteWrite === null) return [];
    const q = settings.remoteWrite.queue;
    const credential = (key: string) => ({ name: SPOKE_CREDENTIALS.secretName, key });
    return [
        {
            name: settings.metricsBackend === "mimir" ? "mimir" : "hub-prometheus",
            url: targets.metricsRemoteWrite,
            // Mimir is multi-tenant; the fleet gateway also enforces the tenant for spokes.
            ...(settings.metricsBackend === "mimir" ? { headers: { "X-Scope-OrgID": targets.tenant } } : {}),
            ...(targets.crossCluster
                ? {
                      basicAuth: { username: credential(SPOKE_CREDENTIALS.usernameKey), password: credential(SPOKE_CREDENTIALS.passwordKey) },
                      tlsConfig: { ca: { secret: credential(SPOKE_CREDENTIALS.caKey) } },
                  }
                : {}),
            // Exemplars (kept by the exemplar-storage feature) travel with the samples, so the
            // store's latency panels still link to traces.
            sendExemplars: true,
            ...(settings.prometheus.replicas > 1 ? { writeRelabelConfigs: firstReplicaOnly() } : {}),
            queueConfig: {
                capacity: q.capacity,
                minShards: q.minShards,
                maxShards: q.maxShards,
                maxSamplesPerSend: q.maxSamplesPerSend,
                batchSendDeadline: q.batchSendDeadline,
                minBackoff: q.minBackoff,
                maxBackoff: q.maxBackoff,
                // Back off on 429 instead of dropping: Mimir's per-tenant rate limit answers with it.
                retryOnRateLimit: true,
            },
        },
    ];
}

/** External label prometheus-operator gives each replica: "prometheus-<name>-<ordinal>". */
export const REPLICA_LABEL = "prometheus_replica";

/**
 * Of an HA pair, only replica 0 remote-writes. Both replicas would otherwise store every series twice
 * in the store (distinct replica labels): every sum() doubles. Mimir's HA tracker deduplicates
 * properly but needs Consul or etcd (it does not run on memberlist), which the platform does not run.
 * Trade-off: while replica 0 is down (a node drain: about a minute) the store gets no samples from
 * this cluster; replica 1 still has them locally. Write relabelling runs after external labels are
 * attached, so the replica label can select the sender and is then dropped.
 */
function firstReplicaOnly() {
    return [
        { sourceLabels: [REPLICA_LABEL], regex: "prometheus-.+-0", action: "keep" },
        { regex: REPLICA_LABEL, action: "labeldrop" },
    ];
}

type Values = Record<string, any>;

/** Applies the metrics shipping of `cluster` to kube-prometheus-stack values built for it. */
export function withMetricsShipping(values: Values, settings: Settings, cluster: ClusterSettings): Values {
    const out: Values = structuredClone(values);
    const prometheus = out.prometheus;
    const spec = prometheus.prometheusSpec;
    const isHub = cluster.role === "hub";
    const hasSpokes = settings.clusters.some((c) => c.role === "spoke");

    const remoteWrite = remoteWriteSpecs(settings, cluster);
    if (remoteWrite.length > 0) {
        spec.remoteWrite = remoteWrite;
        // The store keeps the history; locally only a window to ride out an outage of the store
        // (the rules evaluated here read no further back: sre/evaluation.ts).
        spec.retention = `${localRetentionDays(settings, cluster)}d`;
    }
    if (settings.metricsBackend === "thanos") {
        spec.thanos = {
            image: THANOS_IMAGE_REF,
            objectStorageConfig: { existingSecret: { name: THANOS_OBJSTORE_SECRET.name, key: THANOS_OBJSTORE_SECRET.key } },
            resources: containerResources(settings.resources.thanosSidecar),
        };
        // The hub's Thanos Query finds its own Prometheus' sidecar through this headless service.
        if (isHub) prometheus.thanosService = { enabled: true };
    }
    if (isHub && settings.metricsBackend === "prometheus" && hasSpokes) {
        // Without a long-term store the hub's Prometheus is the fleet's store: spokes write to it
        // through the fleet gateway (the receiver itself stays inside the cluster).
        spec.enableRemoteWriteReceiver = true;
    }

    if (!isHub) {
        // Collection only: alerts go to the hub's central Alertmanager, dashboards live on the hub.
        out.alertmanager = { enabled: false };
        out.grafana = { enabled: false };
        // The chart's Alertmanager rules watch a local Alertmanager; a spoke has none, so they would
        // select series nothing scrapes. The hub's Prometheus watches the central one.
        out.defaultRules = { ...out.defaultRules, rules: { ...out.defaultRules?.rules, alertmanager: false } };
        const target = alertmanagerTarget(settings, cluster);
        if (target) {
            spec.secrets = [SPOKE_CREDENTIALS.secretName];
            spec.additionalAlertManagerConfigs = [
                {
                    scheme: "https",
                    api_version: "v2",
                    static_configs: [{ targets: [`${target.host}:${target.port}`] }],
                    // Files mounted from the credentials Secret: no credential in the values.
                    basic_auth: {
                        username: cluster.name,
                        password_file: mountedSecret(SPOKE_CREDENTIALS.secretName, SPOKE_CREDENTIALS.passwordKey),
                    },
                    tls_config: { ca_file: mountedSecret(SPOKE_CREDENTIALS.secretName, SPOKE_CREDENTIALS.caKey) },
                },
            ];
        }
    }
    return out;
}
