// Every Helm chart the platform installs, pinned to its repository and exact version. The checks
// render these very packages (tools/charts: `npm run charts` fetches them into .charts/).

export interface ChartPin {
    /** Chart name in its repository. */
    readonly chart: string;
    readonly version: string;
    /**
     * Helm repository URL, or for a chart in an OCI registry the full chart reference
     * ("oci://<registry>/<path>/<chart>"), which Helm takes in place of the chart name.
     */
    readonly repo: string;
    /**
     * API versions of the custom resources the chart installs (its CRDs), which Helm's capabilities
     * list for the releases installed after it. Tests compare them with the CRDs the chart renders.
     */
    readonly crdApiVersions: readonly string[];
}

export const CHARTS = {
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        repo: "https://prometheus-community.github.io/helm-charts",
        crdApiVersions: ["monitoring.coreos.com/v1", "monitoring.coreos.com/v1alpha1"],
    },
    argoCd: {
        chart: "argo-cd",
        version: "10.1.1",
        repo: "https://argoproj.github.io/argo-helm",
        crdApiVersions: ["argoproj.io/v1alpha1"],
    },
    // Logs and traces pillars.
    loki: {
        chart: "loki",
        version: "18.11.0",
        // The community OSS chart; the grafana.github.io copy now targets enterprise users.
        repo: "https://grafana-community.github.io/helm-charts",
        crdApiVersions: [],
    },
    alloy: {
        chart: "alloy",
        version: "1.11.1",
        repo: "https://grafana.github.io/helm-charts",
        crdApiVersions: ["monitoring.grafana.com/v1alpha2"],
    },
    tempo: {
        chart: "tempo",
        version: "2.2.4",
        repo: "https://grafana-community.github.io/helm-charts",
        crdApiVersions: [],
    },
    opentelemetryCollector: {
        chart: "opentelemetry-collector",
        version: "0.170.0",
        repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
        crdApiVersions: [],
    },
    opentelemetryOperator: {
        chart: "opentelemetry-operator",
        version: "0.122.0",
        repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
        crdApiVersions: ["opentelemetry.io/v1alpha1", "opentelemetry.io/v1beta1"],
    },
    // Long-term metrics. The 6.2.0 package could not be obtained where this was built, so Mimir's
    // values are checked by key path against the chart's main-branch values.yaml, not rendered
    // (components/metrics/mimir.ts; tools/charts/cache.ts).
    mimirDistributed: {
        chart: "mimir-distributed",
        version: "6.2.0",
        repo: "https://grafana.github.io/helm-charts",
        crdApiVersions: [],
    },
    // Bitnami publishes its charts only to an OCI registry.
    thanos: {
        chart: "thanos",
        version: "17.6.0",
        repo: "oci://registry-1.docker.io/bitnamicharts/thanos",
        crdApiVersions: [],
    },
    // Presets: one exporter release per Redis instance of the `redis` config (metrics/redis-exporter.ts).
    prometheusRedisExporter: {
        chart: "prometheus-redis-exporter",
        version: "6.29.0",
        repo: "https://prometheus-community.github.io/helm-charts",
        crdApiVersions: [],
    },
    // Probes: the hub's blackbox exporter, which the `probes` Probe resources and the platform's own
    // certificate probes go through (metrics/blackbox-exporter.ts).
    prometheusBlackboxExporter: {
        chart: "prometheus-blackbox-exporter",
        version: "11.17.2",
        repo: "https://prometheus-community.github.io/helm-charts",
        crdApiVersions: [],
    },
} as const satisfies Record<string, ChartPin>;

/** Whether the pin names a chart in an OCI registry rather than in a classic Helm repository. */
export function isOciChart(pin: ChartPin): boolean {
    return pin.repo.startsWith("oci://");
}
