// The `scrape` settings as prometheus-operator monitors: a ServiceMonitor (or PodMonitor) per target,
// in the target's own namespace, whose series all carry `job="<target name>"`.
import { placedOn } from "../config/cluster-names";
import type { Settings } from "../config/schema";
import { certManagerScrapeTargets } from "./cert-manager";
import { type ScrapeTarget } from "../config/scrape";
import { annotationDiscoveryClusters } from "../config/scrape-annotations";

export const SCRAPE_MONITOR_API_VERSION = "monitoring.coreos.com/v1";

export interface ScrapeMonitor {
    apiVersion: typeof SCRAPE_MONITOR_API_VERSION;
    kind: "ServiceMonitor" | "PodMonitor";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/**
 * Relabelings of a monitor's endpoint that set `job` to `name`. The operator names the job after
 * the Service (or "<namespace>/<PodMonitor>"), and `jobLabel` can only copy a Service label; these
 * run after the operator's own relabelings, so the job is the name SLOs and alerts select.
 */
export const jobRelabelings = (name: string) => [{ action: "replace", targetLabel: "job", replacement: name }];

/**
 * One monitor per target that runs on `cluster` (the `scrape` entries, by their `clusters`, then the
 * presets', such as cert-manager's, on the hub). kube-prometheus-stack's Prometheus selects monitors
 * of every namespace, whatever their labels.
 */
export function scrapeMonitors(settings: Settings, cluster: string): ScrapeMonitor[] {
    const hub = settings.clusters.find((c) => c.role === "hub")?.name;
    const targets: readonly ScrapeTarget[] = [
        ...settings.scrape.filter((t) => placedOn(settings.clusters, t).includes(cluster)),
        ...(cluster === hub ? certManagerScrapeTargets(settings) : []),
    ];
    return targets.map((t) => {
        const endpoint = {
            port: t.port,
            ...(t.honorLabels ? { honorLabels: true } : {}),
            path: t.path,
            interval: t.interval ?? settings.prometheus.scrapeInterval,
            relabelings: jobRelabelings(t.name),
            ...(t.metricAllowList
                ? { metricRelabelings: [{ action: "keep", sourceLabels: ["__name__"], regex: t.metricAllowList.join("|") }] }
                : {}),
        };
        const service = t.kind === "service";
        return {
            apiVersion: SCRAPE_MONITOR_API_VERSION,
            kind: service ? "ServiceMonitor" : "PodMonitor",
            metadata: { name: t.name, namespace: t.namespace, labels: { "app.kubernetes.io/part-of": "observability-platform" } },
            // Without a namespaceSelector a monitor selects in its own namespace only.
            spec: {
                selector: { matchLabels: { ...t.selector } },
                [service ? "endpoints" : "podMetricsEndpoints"]: [endpoint],
                // Per target: one application's cardinality explosion fails its own scrapes (and the
                // ScrapeTargetNearSampleLimit alert warns first) instead of filling Prometheus.
                sampleLimit: t.sampleLimit ?? settings.limits.scrape.sampleLimit,
                labelLimit: t.labelLimit ?? settings.limits.scrape.labelLimit,
            },
        };
    });
}

/**
 * A warning per service whose SLOs select a `job` no scrape target declares (in the selected
 * namespace) on a cluster the service runs on. Not an error: a monitor the platform does not own
 * may scrape it under that job.
 */
export function undeclaredSloJobWarnings(settings: Settings): string[] {
    const warnings = new Set<string>();
    const discovered = new Set(annotationDiscoveryClusters(settings));
    for (const service of settings.slos) {
        for (const o of service.objectives) {
            // A probe SLO's job is its probe's, which the config validation requires to be declared.
            if (o.kind === "probe") continue;
            const { job, namespace } = o.selector;
            if (job === undefined) continue;
            // "<namespace>/<app>" is a discovered pod's job: declared by annotation discovery where it is on.
            if (job.includes("/") && placedOn(settings.clusters, service).every((c) => discovered.has(c))) continue;
            const declared = settings.scrape.filter((t) => t.name === job && (namespace === undefined || t.namespace === namespace));
            const where = namespace === undefined ? "" : ` in namespace ${namespace}`;
            if (declared.length === 0) {
                warnings.add(
                    `SLOs of ${service.service} select job "${job}"${where}, which no entry of scrape declares: ` +
                        "unless a monitor the platform does not own scrapes it under that job, their SLIs are missing",
                );
                continue;
            }
            const scrapedOn = new Set(declared.flatMap((t) => placedOn(settings.clusters, t)));
            const unscraped = placedOn(settings.clusters, service).filter((c) => !scrapedOn.has(c));
            if (unscraped.length > 0) {
                warnings.add(
                    `SLOs of ${service.service} run on ${unscraped.join(", ")}, where no scrape entry of job "${job}"${where} is placed ` +
                        "(its clusters): there their SLIs are missing unless another monitor scrapes it",
                );
            }
        }
    }
    return [...warnings];
}
