// Helm values of kube-prometheus-stack for one cluster, whole: Prometheus with where it ships its
// samples (shipping.ts, merged below), the operator, exporters and, on the hub only, Alertmanager,
// the bundled Grafana and the Thanos Ruler. What this returns is what the release deploys.
import type { ClusterSettings, Settings } from "../config/schema";
import { KSA_NAMES } from "../gcp/stores";
import type { GrafanaDatasource } from "../grafana/datasource";
import { grafanaExposureValues } from "../grafana/exposure";
import { containerResources, volumeClaimSpec } from "../kubernetes/resources";
import { backendProfile, sidecarUploads } from "../platform/backends";
import { FULLNAMES } from "../platform/services";
import { ALERTMANAGER_CONFIG_SECRET } from "../sre/alertmanager-config";
import { EVALUATOR_LABEL, localRetentionDays, RULER_EVALUATORS } from "../sre/evaluation";
import { prometheusShipping } from "./shipping";
import { thanosRulerValues } from "./thanos-ruler";

export interface KubePrometheusStackRefs {
    storageClassName: string;
    /** Secret holding Grafana's admin user and password (keys `admin-user`, `admin-password`). */
    grafanaAdminSecretName: string;
    datasources: readonly GrafanaDatasource[];
    /** Whether this cluster's model has rules for a Thanos Ruler (then it runs here, on the hub). */
    thanosRuler: boolean;
}

export const GRAFANA_ADMIN_SECRET_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** Label and annotation the Grafana sidecar uses to find dashboards and file them in folders. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

export function kubePrometheusStackValues(settings: Settings, cluster: ClusterSettings, refs: KubePrometheusStackRefs) {
    const r = settings.resources;
    const p = settings.prometheus;
    const am = settings.alertmanager;
    const isHub = cluster.role === "hub";
    const shipping = prometheusShipping(settings, cluster);
    return {
        fullnameOverride: FULLNAMES.kubePrometheusStack,
        crds: { enabled: true },
        prometheusOperator: {
            resources: containerResources(r.prometheusOperator),
            prometheusConfigReloader: { resources: containerResources(r.prometheusConfigReloader) },
        },
        "kube-state-metrics": { resources: containerResources(r.kubeStateMetrics) },
        "prometheus-node-exporter": { resources: containerResources(r.nodeExporter) },
        ...gkeControlPlaneValues(),
        prometheus: {
            // With Thanos the sidecar uploads blocks as Prometheus' own Kubernetes service account,
            // which the platform creates with its Workload Identity annotation.
            ...(sidecarUploads(backendProfile(settings))
                ? { serviceAccount: { create: false, name: KSA_NAMES.prometheus } }
                : {}),
            prometheusSpec: {
                replicas: p.replicas,
                scrapeInterval: p.scrapeInterval,
                evaluationInterval: p.scrapeInterval,
                // With remote write the store keeps the history; locally only a window to ride out an
                // outage of the store (the rules evaluated here read no further back: sre/evaluation.ts).
                retention: `${localRetentionDays(settings, cluster)}d`,
                // Size-based retention kicks in before the volume fills (validated <= 85% of it).
                retentionSize: `${p.retentionSizeGi}GiB`,
                externalLabels: { cluster: cluster.name, stack: settings.stack },
                // Select rules, monitors, probes and scrape configs from every namespace, whether or
                // not they carry this release's label. Rules are the exception: those labelled for
                // Mimir's ruler or the Thanos Ruler are theirs alone (sre/evaluation.ts), so no alert
                // is evaluated twice. An explicit ruleSelector is used as it is by the chart; rules
                // without the label (the chart's own, the platform's local ones) are still selected.
                ruleSelector: { matchExpressions: [{ key: EVALUATOR_LABEL, operator: "NotIn", values: [...RULER_EVALUATORS] }] },
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                resources: containerResources(r.prometheus),
                // Tempo's metrics-generator and the OTel gateway remote-write here (without a long-term
                // store), and so do spokes through the fleet gateway when the hub's Prometheus is the
                // fleet's store. Exemplar storage keeps the trace ids on histogram samples, so latency
                // panels link to their traces.
                enableRemoteWriteReceiver: true,
                // extra-scrape-metrics adds each target's scrape_sample_limit series (and its timeout
                // and body size), which the limit alerts and dashboard divide by. Prometheus 3.14 (this
                // chart's) also takes it as the config option global.extra_scrape_metrics, but
                // prometheus-operator 0.93 has no field that writes it; the flag still sets that
                // option's default to true (it only logs that it is being phased out).
                enableFeatures: ["exemplar-storage", "extra-scrape-metrics"],
                ...enforcedScrapeLimits(settings),
                storageSpec: { volumeClaimTemplate: { spec: volumeClaimSpec(refs.storageClassName, p.storageGi) } },
                ...shipping.prometheusSpec,
            },
            ...(shipping.thanosService ? { thanosService: shipping.thanosService } : {}),
        },
        // A spoke collects only: its alerts go to the hub's central Alertmanager (shipping.ts), its
        // dashboards live on the hub.
        alertmanager: isHub
            ? {
                  alertmanagerSpec: {
                      replicas: am.replicas,
                      retention: `${am.retentionHours}h`,
                      resources: containerResources(r.alertmanager),
                      storage: { volumeClaimTemplate: { spec: volumeClaimSpec(refs.storageClassName, am.storageGi) } },
                      // SRE layer: the configuration comes from a Secret the platform renders (it holds the
                      // receivers' keys), not from `alertmanager.config` in these values.
                      useExistingSecret: true,
                      configSecret: ALERTMANAGER_CONFIG_SECRET,
                  },
              }
            : { enabled: false },
        grafana: isHub ? grafanaValues(settings, refs) : { enabled: false },
        // With Thanos, the SLO recordings that read more than a cluster's local window run on the hub.
        ...(refs.thanosRuler ? { thanosRuler: thanosRulerValues(settings, refs.storageClassName) } : {}),
        // The chart's Alertmanager rules watch a local Alertmanager; a spoke has none, so they would
        // select series nothing scrapes. The hub's Prometheus watches the central one.
        ...(isHub ? {} : { defaultRules: { rules: { alertmanager: false } } }),
    };
}

/**
 * Ceilings the operator writes into every scrape job, of the charts' monitors and hand-written ones
 * alike: a monitor without a limit gets the ceiling, one above it is lowered to it, one below keeps
 * its own (the platform's monitors set theirs, metrics/scrape-targets.ts). The global `sampleLimit`
 * is left unset on purpose: it would become the default of kubelet's and kube-state-metrics'
 * monitors, which legitimately expose far more than an application (config/tiers.ts).
 */
function enforcedScrapeLimits(settings: Settings) {
    const e = settings.limits.scrape.enforced;
    return {
        enforcedSampleLimit: e.sampleLimit,
        enforcedLabelLimit: e.labelLimit,
        enforcedLabelNameLengthLimit: e.labelNameLengthLimit,
        enforcedLabelValueLengthLimit: e.labelValueLengthLimit,
    };
}

/**
 * GKE runs the control plane itself: controller-manager, scheduler and etcd are not reachable, and
 * kube-proxy serves no metrics port on GKE's nodes (or is absent under Dataplane V2). Left on, the
 * chart adds Services in kube-system for them and `absent(up{...})` alerts that fire forever.
 * Cluster DNS is kube-dns, not CoreDNS: its metrics are the dnsmasq and kubedns sidecar ports
 * (10054, 10055), which the chart's kubeDns section scrapes; CoreDNS' 9153 does not exist there.
 */
function gkeControlPlaneValues() {
    return {
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        coreDns: { enabled: false },
        kubeDns: { enabled: true },
    };
}

function grafanaValues(settings: Settings, refs: KubePrometheusStackRefs) {
    const exposure = grafanaExposureValues(settings);
    return {
        enabled: true,
        // SQLite on a ReadWriteOnce disk has one writer: one replica, replaced rather than rolled.
        replicas: 1,
        deploymentStrategy: { type: "Recreate" },
        admin: {
            existingSecret: refs.grafanaAdminSecretName,
            userKey: GRAFANA_ADMIN_SECRET_KEYS.user,
            passwordKey: GRAFANA_ADMIN_SECRET_KEYS.password,
        },
        persistence: {
            enabled: true,
            type: "pvc",
            storageClassName: refs.storageClassName,
            accessModes: ["ReadWriteOnce"],
            size: `${settings.grafana.storageGi}Gi`,
        },
        resources: containerResources(settings.resources.grafana),
        // Reachable inside the cluster only, unless an ingress with TLS is configured
        // (grafana/exposure.ts decides the class, the access guard and the TLS-only settings).
        service: exposure.service,
        ingress: exposure.ingress,
        "grafana.ini": {
            analytics: { reporting_enabled: false, check_for_updates: false },
            ...exposure.ini,
        },
        testFramework: { enabled: false },
        sidecar: {
            resources: containerResources(settings.resources.grafanaSidecar),
            dashboards: {
                enabled: true,
                label: GRAFANA_DASHBOARD_LABEL,
                labelValue: "1",
                searchNamespace: "ALL",
                folderAnnotation: GRAFANA_FOLDER_ANNOTATION,
                provider: { foldersFromFilesStructure: true, allowUiUpdates: false },
            },
            datasources: {
                enabled: true,
                // The platform provisions every datasource itself (below), with stable UIDs.
                defaultDatasourceEnabled: false,
                alertmanager: { enabled: false },
            },
        },
        additionalDataSources: refs.datasources,
        // Datasources removed from settings are removed from Grafana too.
        prune: true,
    };
}
