// The services and SLOs that get dashboards, derived from the stack's SLO config (settings.slos):
// one error-budget dashboard per SLO, and per service one golden-signals dashboard (plus, when logs
// and traces are provisioned, one correlation dashboard) built from what its SLOs say about it.
import type { Settings } from "../config/schema";
import { sharedLabels } from "../config/slos";
import { periodDaysOf, type Objective, type ServiceSlo } from "../sre/slo-rules";
import { otelHttpService, type ServiceDashboardInput, type SloDashboardInput } from "./inputs";

export interface DashboardSources {
    services: ServiceDashboardInput[];
    slos: SloDashboardInput[];
}

export function sloDashboardSources(slos: Settings["slos"]): DashboardSources {
    return {
        services: slos.flatMap((s) => {
            const input = serviceDashboardInput(s);
            return input ? [input] : [];
        }),
        slos: slos.flatMap((s) => s.objectives.map((o) => sloDashboardInput(s, o))),
    };
}

export function sloDashboardInput(service: ServiceSlo, objective: Objective): SloDashboardInput {
    const good = objective.kind === "availability" ? "that do not fail" : `served within ${objective.thresholdSeconds}s`;
    return {
        service: service.service,
        slo: objective.name,
        objectivePercent: objective.target,
        periodDays: periodDaysOf(objective),
        description: objective.kind === "probe" ? `Probes of ${service.service} (${objective.probe}) that succeed` : `Requests of ${service.service} ${good}`,
    };
}

/**
 * The request-duration histogram behind the service's SLOs: the first latency SLO's, else the
 * histogram whose `_count` series an availability SLO counts (such as
 * http_server_requests_seconds_count). Undefined when the SLOs name no histogram at all.
 */
export function latencyHistogramOf(service: ServiceSlo): string | undefined {
    const latency = service.objectives.find((o) => o.kind === "latency");
    if (latency) return latency.metric;
    const counted = service.objectives.find((o) => o.kind === "availability" && o.metric.endsWith("_count"));
    return counted?.metric.slice(0, -"_count".length);
}

/**
 * The golden-signals and correlation input of one service, or undefined when its SLOs name no
 * histogram. Such a service (say, one availability SLO on http_requests_total) keeps its per-SLO
 * dashboards, but gets no service dashboard: every latency, traffic and error panel reads the
 * histogram, and one guessed from a naming convention would show "No data" on a dashboard that
 * looks authoritative.
 */
export function serviceDashboardInput(service: ServiceSlo): ServiceDashboardInput | undefined {
    const latencyHistogram = latencyHistogramOf(service);
    if (latencyHistogram === undefined) return undefined;
    const latencyObjective = service.objectives.find((o) => o.kind === "latency");
    // Config validation refuses SLOs that share no selector label (sreConfigProblems); a probe SLO
    // selects the exporter's series, not the service's.
    const selector = sharedLabels(service.objectives.filter((o) => o.kind !== "probe").map((o) => o.selector));
    if (Object.keys(selector).length === 0) throw new Error(`the SLOs of ${service.service} share no selector label`);
    const namespace = service.namespace ?? selector.namespace ?? service.service;
    const defaults = otelHttpService(service.service, namespace);
    return {
        ...defaults,
        podRegex: service.podRegex ?? defaults.podRegex,
        selector,
        latencyHistogram,
        // A trace slower than the latency SLO's threshold is a bad request of that SLO.
        ...(latencyObjective ? { slowSeconds: latencyObjective.thresholdSeconds } : {}),
        ...(requestsOf(service) ?? { requestCounter: `${latencyHistogram}_count`, errors: defaults.errors }),
        // Loki's `container` stream label is the container's name: the metrics' own `container`
        // label when the SLOs select on it (ServiceMonitor targets carry it), else the service name.
        logSelector: { namespace, container: selector.container ?? service.service },
    };
}

/**
 * Traffic and failed requests as the first availability SLO whose errorSelector has exactly one
 * label counts them: its counter and that label and regex, so the dashboard's error ratio is the
 * SLI's. With none (latency SLOs only, or errorSelectors combining several labels, of which the
 * dashboard cannot tell the status one) the histogram's count and the OpenTelemetry HTTP convention
 * are assumed.
 */
function requestsOf(service: ServiceSlo): Pick<ServiceDashboardInput, "requestCounter" | "errors"> | undefined {
    for (const o of service.objectives) {
        const matchers = Object.entries(o.kind === "availability" ? (o.errorSelector ?? {}) : {});
        if (matchers.length === 1) return { requestCounter: o.metric, errors: { label: matchers[0][0], regex: matchers[0][1] } };
    }
    return undefined;
}
