// Every Helm chart the platform installs, pinned to the exact repository and version recorded in
// ../shared/charts (tests compare these with each chart's Chart.yaml).

export interface ChartPin {
    /** Chart name in its repository. */
    readonly chart: string;
    readonly version: string;
    /**
     * Helm repository URL, or for a chart in an OCI registry the full chart reference
     * ("oci://<registry>/<path>/<chart>"), which Helm takes in place of the chart name.
     */
    readonly repo: string;
    /** Folder under ../shared/charts holding this chart's Chart.yaml and values.yaml. */
    readonly referenceDir: string;
}

export const CHARTS = {
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        repo: "https://prometheus-community.github.io/helm-charts",
        referenceDir: "kube-prometheus-stack",
    },
    argoCd: {
        chart: "argo-cd",
        version: "10.1.1",
        repo: "https://argoproj.github.io/argo-helm",
        referenceDir: "argo-cd",
    },
    // Logs and traces pillars.
    loki: {
        chart: "loki",
        version: "18.11.0",
        // The community OSS chart; the grafana.github.io copy now targets enterprise users.
        repo: "https://grafana-community.github.io/helm-charts",
        referenceDir: "loki-community",
    },
    alloy: {
        chart: "alloy",
        version: "1.11.1",
        repo: "https://grafana.github.io/helm-charts",
        referenceDir: "alloy",
    },
    tempo: {
        chart: "tempo",
        version: "2.2.4",
        repo: "https://grafana-community.github.io/helm-charts",
        referenceDir: "tempo",
    },
    opentelemetryCollector: {
        chart: "opentelemetry-collector",
        version: "0.170.0",
        repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
        referenceDir: "opentelemetry-collector",
    },
    opentelemetryOperator: {
        chart: "opentelemetry-operator",
        version: "0.122.0",
        repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
        referenceDir: "opentelemetry-operator",
    },
    // Long-term metrics (issue 4). The released chart: ../shared/charts/mimir-distributed holds the
    // release's index entry (6.2.0) next to main-branch files (Chart.yaml 6.2.0-weekly.402); see
    // components/metrics/mimir.ts for the value keys that were checked against which file.
    mimirDistributed: {
        chart: "mimir-distributed",
        version: "6.2.0",
        repo: "https://grafana.github.io/helm-charts",
        referenceDir: "mimir-distributed",
    },
    // Bitnami publishes its charts only to an OCI registry.
    thanos: {
        chart: "thanos",
        version: "17.6.0",
        repo: "oci://registry-1.docker.io/bitnamicharts/thanos",
        referenceDir: "thanos",
    },
} as const satisfies Record<string, ChartPin>;

/** Whether the pin names a chart in an OCI registry rather than in a classic Helm repository. */
export function isOciChart(pin: ChartPin): boolean {
    return pin.repo.startsWith("oci://");
}

/** Subcharts whose values a parent chart passes through under a key of its own. */
export const SUBCHART_REFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    // kube-prometheus-stack 88.5.3 depends on grafana 12.11.1, the version in ../shared/charts/grafana.
    "kube-prometheus-stack": { grafana: "grafana" },
};
