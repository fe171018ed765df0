// Service golden signals, one dashboard per service: latency quantiles with exemplars, traffic,
// error ratio, and the saturation of the service's pods.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type { ServiceDashboardInput } from "./inputs";
import {
    baseDashboard,
    CLUSTER,
    clusterVariable,
    dashboardUid,
    deploymentsAnnotation,
    finish,
    FOLDERS,
    promQuery,
    quote,
    statPanel,
    steps,
    timeSeries,
    type DashboardDefinition,
} from "./kit";

/** `{a="x", b="y"}` contents from exact matchers, in key order (deterministic). */
export function matchers(selector: Readonly<Record<string, string>>, ...extra: string[]): string {
    for (const k of Object.keys(selector)) labelName(k);
    const exact = Object.keys(selector)
        .sort()
        .map((k) => `${k}=${quote(selector[k])}`);
    return [...exact, ...extra].join(", ");
}

/** A Prometheus label name, or an error naming it (inputs come from settings). */
export function labelName(name: string): string {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a Prometheus label name`);
    return name;
}

export const goldenSignalsUid = (service: string) => dashboardUid("svc", service);

/** The service's own series that the dashboards read (its instrumentation, not the platform's). */
export function serviceMetricNames(s: ServiceDashboardInput): string[] {
    return [...new Set([`${s.latencyHistogram}_bucket`, `${s.latencyHistogram}_count`, s.requestCounter])];
}

/** PromQL building blocks for one service, shared with the correlation dashboard. */
export function serviceQueries(s: ServiceDashboardInput) {
    const sel = matchers(s.selector, CLUSTER);
    const errSel = matchers(s.selector, CLUSTER, `${labelName(s.errors.label)}=~${quote(s.errors.regex)}`);
    const h = s.latencyHistogram;
    const c = s.requestCounter;
    return {
        quantile: (q: number) =>
            `histogram_quantile(${q}, sum by (le) (rate(${h}_bucket{${sel}}[$__rate_interval])))`,
        requestRate: `sum(rate(${c}{${sel}}[$__rate_interval]))`,
        requestRateBy: `sum by (${s.errors.label}) (rate(${c}{${sel}}[$__rate_interval]))`,
        errorRate: `sum(rate(${c}{${errSel}}[$__rate_interval]))`,
        errorRatio:
            `sum(rate(${c}{${errSel}}[$__rate_interval])) / ` +
            `sum(rate(${c}{${sel}}[$__rate_interval]))`,
    };
}

export function goldenSignalsDashboard(s: ServiceDashboardInput): DashboardDefinition {
    const q = serviceQueries(s);
    const pods = matchers({ namespace: s.namespace }, `pod=~${quote(s.podRegex)}`, CLUSTER);
    const containers = matchers({ namespace: s.namespace }, `pod=~${quote(s.podRegex)}`, 'container!=""', CLUSTER);
    const builder = baseDashboard(
        goldenSignalsUid(s.service),
        `Service: ${s.service}`,
        `Golden signals of ${s.service} (namespace ${s.namespace}): latency, traffic, errors and saturation. ` +
            `Latency comes from the ${s.latencyHistogram} histogram, traffic and errors from ${s.requestCounter}; ` +
            "saturation from the pods' " +
            "cAdvisor and kube-state-metrics series.",
        ["service", `service:${s.service}`],
    )
        .withVariable(clusterVariable())
        .annotation(deploymentsAnnotation(s.namespace))
        .link(
            // The service's SLO and correlation dashboards share its tag.
            new dashboard.DashboardLinkBuilder("Related")
                .type(dashboard.DashboardLinkType.Dashboards)
                .tags([`service:${s.service}`])
                .asDropdown(true)
                .includeVars(false)
                .keepTime(true),
        )
        .withRow(new dashboard.RowBuilder("Overview"))
        .withPanel(statPanel("Requests", "reqps", "Requests per second, all pods.").withTarget(promQuery(q.requestRate)))
        .withPanel(
            statPanel("Error ratio", "percentunit", `Share of requests with ${s.errors.label} matching ${s.errors.regex}.`)
                .thresholds(steps("green", [0.01, "orange"], [0.05, "red"]))
                .withTarget(promQuery(q.errorRatio)),
        )
        .withPanel(statPanel("p95 latency", "s", "95th percentile request duration.").withTarget(promQuery(q.quantile(0.95))))
        .withPanel(
            statPanel("Pod restarts", "short", "Container restarts of the service's pods over the time range.")
                .thresholds(steps("green", [1, "orange"]))
                .withTarget(
                    promQuery(`sum(increase(kube_pod_container_status_restarts_total{${pods}}[$__range]))`),
                ),
        )
        .withRow(new dashboard.RowBuilder("Latency and traffic"))
        .withPanel(
            timeSeries(
                "Latency p50 / p95 / p99",
                "s",
                "Request duration quantiles. Dots are exemplars: click one to open its trace in Tempo.",
            )
                .withTarget(promQuery(q.quantile(0.5), "p50"))
                .withTarget(promQuery(q.quantile(0.95), "p95").exemplar(true))
                .withTarget(promQuery(q.quantile(0.99), "p99")),
        )
        .withPanel(
            timeSeries("Traffic", "reqps", `Requests per second by ${s.errors.label}.`).withTarget(
                promQuery(q.requestRateBy, `{{${s.errors.label}}}`),
            ),
        )
        .withRow(new dashboard.RowBuilder("Errors"))
        .withPanel(
            timeSeries("Error ratio", "percentunit", "Failed requests / all requests.")
                .thresholds(steps("green", [0.01, "red"]))
                .withTarget(promQuery(q.errorRatio, "error ratio")),
        )
        .withPanel(timeSeries("Errors", "reqps", "Failed requests per second.").withTarget(promQuery(q.errorRate, "errors")))
        .withRow(new dashboard.RowBuilder("Saturation"))
        .withPanel(
            timeSeries("CPU", "short", "CPU cores used per pod, against the containers' requests and limits.")
                .withTarget(
                    promQuery(
                        `sum by (pod) (rate(container_cpu_usage_seconds_total{${containers}}[$__rate_interval]))`,
                        "{{pod}}",
                    ),
                )
                .withTarget(promQuery(`sum(kube_pod_container_resource_requests{${pods}, resource="cpu"}) / count(kube_pod_info{${pods}})`, "request per pod"))
                .withTarget(promQuery(`sum(kube_pod_container_resource_limits{${pods}, resource="cpu"}) / count(kube_pod_info{${pods}})`, "limit per pod")),
        )
        .withPanel(
            timeSeries("Memory", "bytes", "Working set per pod (what the OOM killer compares with the limit).")
                .withTarget(promQuery(`sum by (pod) (container_memory_working_set_bytes{${containers}})`, "{{pod}}"))
                .withTarget(promQuery(`sum(kube_pod_container_resource_limits{${pods}, resource="memory"}) / count(kube_pod_info{${pods}})`, "limit per pod")),
        )
        .withPanel(
            timeSeries("CPU throttling", "percentunit", "Share of CFS periods in which the containers were throttled.")
                .withTarget(
                    promQuery(
                        `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{${containers}}[$__rate_interval])) / ` +
                            `sum by (pod) (rate(container_cpu_cfs_periods_total{${containers}}[$__rate_interval]))`,
                        "{{pod}}",
                    ),
                ),
        )
        .withPanel(
            timeSeries("Restarts", "short", "Container restarts per pod.").withTarget(
                promQuery(`sum by (pod) (increase(kube_pod_container_status_restarts_total{${pods}}[$__rate_interval]))`, "{{pod}}"),
            ),
        );
    return finish(builder, FOLDERS.services);
}
