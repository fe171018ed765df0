// Where a cluster's Prometheus sends its samples and alerts, as a typed contribution to the
// kube-prometheus-stack values (merged in kube-prometheus-stack.ts): remote-write to Mimir (tenant
// header, tuned queue) or to the hub's Prometheus, a Thanos sidecar uploading blocks, and a spoke's
// alerts to the hub's Alertmanager.
import type { ClusterSettings, Settings } from "../config/schema";
import { alertmanagerTarget, pushTargets, SPOKE_CREDENTIALS } from "../fleet/endpoints";
import { containerResources } from "../kubernetes/resources";
import { backendProfile, sidecarUploads, type SampleRoute } from "../platform/backends";
import { PROMETHEUS_REPLICA_LABEL, THANOS_IMAGE_REF, THANOS_OBJSTORE_SECRET } from "./thanos";

/** Where prometheus-operator mounts the Secrets listed in `prometheusSpec.secrets`. */
const mountedSecret = (name: string, key: string) => `/etc/prometheus/secrets/${name}/${key}`;

/** The `prometheus.prometheusSpec.remoteWrite` entries (prometheus-operator RemoteWriteSpec). */
export function remoteWriteSpecs(settings: Settings, cluster: ClusterSettings) {
    const targets = pushTargets(settings, cluster);
    const samples: SampleRoute = backendProfile(settings).samples;
    if (targets.metricsRemoteWrite === null || samples.via !== "remote-write") return [];
    const q = settings.remoteWrite.queue;
    const credential = (key: string) => ({ name: SPOKE_CREDENTIALS.secretName, key });
    return [
        {
            name: samples.queue,
            url: targets.metricsRemoteWrite,
            // A multi-tenant receiver (Mimir); the fleet gateway also enforces the tenant for spokes.
            ...(samples.tenantHeader ? { headers: { "X-Scope-OrgID": targets.tenant } } : {}),
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
        { sourceLabels: [PROMETHEUS_REPLICA_LABEL], regex: "prometheus-.+-0", action: "keep" },
        { regex: PROMETHEUS_REPLICA_LABEL, action: "labeldrop" },
    ];
}

/** Alertmanager a spoke's Prometheus sends to (Prometheus' alertmanager_config, snake_case). */
interface AdditionalAlertmanagerConfig {
    scheme: "https";
    api_version: "v2";
    static_configs: { targets: string[] }[];
    basic_auth: { username: string; password_file: string };
    tls_config: { ca_file: string };
}

/**
 * What shipping adds to one cluster's kube-prometheus-stack `prometheus` values, merged by
 * kubePrometheusStackValues: fields of `prometheusSpec` beside the base ones, and the hub's
 * `thanosService`. The local retention that goes with remote write is the builder's
 * (sre/evaluation.ts localRetentionDays), read by the rules' evaluators too.
 */
export interface PrometheusShipping {
    prometheusSpec: {
        remoteWrite?: ReturnType<typeof remoteWriteSpecs>;
        thanos?: { image: string; objectStorageConfig: { existingSecret: { name: string; key: string } }; resources: ReturnType<typeof containerResources> };
        /** Secrets prometheus-operator mounts under /etc/prometheus/secrets/<name>/. */
        secrets?: string[];
        additionalAlertManagerConfigs?: AdditionalAlertmanagerConfig[];
    };
    thanosService?: { enabled: true };
}

/** Where `cluster`'s Prometheus sends its samples (remote write, or a Thanos sidecar) and, on a spoke, its alerts. */
export function prometheusShipping(settings: Settings, cluster: ClusterSettings): PrometheusShipping {
    const isHub = cluster.role === "hub";
    const remoteWrite = remoteWriteSpecs(settings, cluster);
    const thanos = sidecarUploads(backendProfile(settings));
    // A spoke's alerts go to the hub's central Alertmanager, through the fleet gateway.
    const target = isHub ? undefined : alertmanagerTarget(settings, cluster);
    return {
        prometheusSpec: {
            ...(remoteWrite.length > 0 ? { remoteWrite } : {}),
            ...(thanos
                ? {
                      thanos: {
                          image: THANOS_IMAGE_REF,
                          objectStorageConfig: { existingSecret: { name: THANOS_OBJSTORE_SECRET.name, key: THANOS_OBJSTORE_SECRET.key } },
                          resources: containerResources(settings.resources.thanosSidecar),
                      },
                  }
                : {}),
            ...(target
                ? {
                      secrets: [SPOKE_CREDENTIALS.secretName],
                      additionalAlertManagerConfigs: [
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
                      ],
                  }
                : {}),
        },
        // The hub's Thanos Query finds its own Prometheus' sidecar through this headless service.
        ...(thanos && isHub ? { thanosService: { enabled: true } } : {}),
    };
}
