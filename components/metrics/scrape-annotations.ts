// Annotation discovery as one prometheus-operator ScrapeConfig per cluster: Prometheus watches pods
// (its chart's ClusterRole may list them in every namespace) and scrapes those annotated
//   prometheus.io/scrape: "true"    opt in
//   prometheus.io/port: "8080"      the port (else every declared container port)
//   prometheus.io/path: "/metrics"  the path (else /metrics)
//   prometheus.io/scheme: "https"   the scheme (else http)
// The relabelings are checked by a real Prometheus in test/scrape-annotations.test.ts.
import type { Settings } from "../config/schema";
import { ANNOTATED_PODS_JOB, annotationDiscoveryClusters, SYSTEM_NAMESPACE_PATTERNS } from "../config/scrape-annotations";

export const SCRAPE_CONFIG_API_VERSION = "monitoring.coreos.com/v1alpha1";
/** The ScrapeConfig's name, in the monitoring namespace. */
export const ANNOTATION_SCRAPE_CONFIG = "annotated-pods";

export interface Relabeling {
    sourceLabels?: string[];
    separator?: string;
    regex?: string;
    targetLabel?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop";
}

export interface ScrapeConfigObject {
    apiVersion: typeof SCRAPE_CONFIG_API_VERSION;
    kind: "ScrapeConfig";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        jobName: string;
        kubernetesSDConfigs: { role: "Pod"; namespaces?: { names: string[] } }[];
        scrapeInterval: string;
        sampleLimit: number;
        labelLimit: number;
        relabelings: Relabeling[];
    };
}

const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;

/**
 * The relabelings, in order. `excluded` are anchored regexes of namespaces to drop (none when
 * Prometheus only watches listed namespaces).
 */
export function annotationRelabelings(excluded: readonly string[]): Relabeling[] {
    return [
        // Opt in: only "true" (Prometheus anchors the regex, so "True" or "yes" do not count).
        { sourceLabels: [annotation("scrape")], regex: "true", action: "keep" },
        // A finished or not yet started pod serves nothing: its scrapes would only fail.
        { sourceLabels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed", action: "drop" },
        ...(excluded.length > 0 ? [{ sourceLabels: ["__meta_kubernetes_namespace"], regex: excluded.join("|"), action: "drop" as const }] : []),
        { sourceLabels: [annotation("path")], regex: "(/.*)", targetLabel: "__metrics_path__", replacement: "$1", action: "replace" },
        { sourceLabels: [annotation("scheme")], regex: "(https?)", targetLabel: "__scheme__", replacement: "$1", action: "replace" },
        // The annotated port on the pod's IP (IPv4, then IPv6 in brackets). Every container port of the
        // pod then maps to the same address and labels, so Prometheus keeps one target per pod.
        {
            sourceLabels: [annotation("port"), "__meta_kubernetes_pod_ip"],
            regex: "([0-9]+);([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)",
            targetLabel: "__address__",
            replacement: "$2:$1",
            action: "replace",
        },
        {
            sourceLabels: [annotation("port"), "__meta_kubernetes_pod_ip"],
            regex: "([0-9]+);([0-9A-Fa-f]*:[0-9A-Fa-f:.]*)",
            targetLabel: "__address__",
            replacement: "[$2]:$1",
            action: "replace",
        },
        { sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace", action: "replace" },
        { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod", action: "replace" },
        // job "<namespace>/<app>": the app label, overridden by app.kubernetes.io/name when the pod has
        // both; the slash keeps it apart from every `scrape` job (a DNS label). Neither label: the
        // ScrapeConfig's jobName.
        { sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app"], regex: "(.+);(.+)", targetLabel: "job", replacement: "$1/$2", action: "replace" },
        {
            sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app_kubernetes_io_name"],
            regex: "(.+);(.+)",
            targetLabel: "job",
            replacement: "$1/$2",
            action: "replace",
        },
    ];
}

/** The ScrapeConfig of `cluster`, or none where discovery is off (the stack's, or not on this cluster). */
export function annotationScrapeConfig(settings: Settings, cluster: string): ScrapeConfigObject | undefined {
    if (!annotationDiscoveryClusters(settings).includes(cluster)) return undefined;
    const a = settings.scrapeAnnotations;
    const excluded = a.namespaces ? [] : [...SYSTEM_NAMESPACE_PATTERNS, ...new Set(Object.values(settings.namespaces)), ...(a.excludeNamespaces ?? [])];
    return {
        apiVersion: SCRAPE_CONFIG_API_VERSION,
        kind: "ScrapeConfig",
        metadata: { name: ANNOTATION_SCRAPE_CONFIG, namespace: settings.namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "observability-platform" } },
        spec: {
            // The job of a pod without an app label (the operator names the scrape job itself).
            jobName: ANNOTATED_PODS_JOB,
            // Without namespaces, Prometheus watches pods in every namespace.
            kubernetesSDConfigs: [{ role: "Pod", ...(a.namespaces ? { namespaces: { names: [...a.namespaces] } } : {}) }],
            scrapeInterval: a.interval ?? settings.prometheus.scrapeInterval,
            // Per target, as for the `scrape` entries: one pod's series explosion fails its own scrapes.
            sampleLimit: settings.limits.scrape.sampleLimit,
            labelLimit: settings.limits.scrape.labelLimit,
            relabelings: annotationRelabelings(excluded),
        },
    };
}
