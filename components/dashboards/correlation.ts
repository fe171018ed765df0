// Three-pillar correlation for one service: request rate and latency with exemplars (a click opens
// the trace in Tempo), the service's slow or failed traces, and the logs of the selected trace in Loki.
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import { goldenSignalsUid, matchers, serviceQueries } from "./golden-signals";
import type { ServiceDashboardInput } from "./inputs";
import {
    baseDashboard,
    CLUSTER,
    clusterVariable,
    dashboardUid,
    deploymentsAnnotation,
    DS,
    finish,
    FOLDERS,
    lokiQuery,
    promQuery,
    quote,
    tablePanel,
    timeSeries,
    traceqlQuery,
    type DashboardDefinition,
} from "./kit";

export const correlationUid = (service: string) => dashboardUid("corr", service);

/** Requests slower than this are listed with the failed ones, unless the service has a latency SLO. */
export const DEFAULT_SLOW_SECONDS = 0.5;

/** A TraceQL duration in whole milliseconds (TraceQL takes "300ms", not "0.3s"). */
const traceqlDuration = (seconds: number) => `${Math.round(seconds * 1000)}ms`;

export function correlationDashboard(s: ServiceDashboardInput): DashboardDefinition {
    const slow = traceqlDuration(s.slowSeconds ?? DEFAULT_SLOW_SECONDS);
    const q = serviceQueries(s);
    const uid = correlationUid(s.service);
    const streams = `{${matchers(s.logSelector, CLUSTER)}}`;
    const builder = baseDashboard(
        uid,
        `Correlate: ${s.service}`,
        `Metrics, traces and logs of ${s.service} side by side. Exemplar dots on the latency panel open their ` +
            `trace in Tempo; picking a trace in the table filters the logs panel to that trace's lines.`,
        ["service", "correlation", `service:${s.service}`],
    )
        .withVariable(clusterVariable())
        .annotation(deploymentsAnnotation(s.namespace))
        .withVariable(
            new dashboard.TextBoxVariableBuilder("trace_id")
                .label("Trace ID")
                .description("Filters the logs to one trace; empty shows all of the service's logs.")
                .defaultValue(""),
        )
        .link(
            new dashboard.DashboardLinkBuilder(`Service: ${s.service}`)
                .type(dashboard.DashboardLinkType.Link)
                .url(`/d/${goldenSignalsUid(s.service)}`)
                .includeVars(true)
                .keepTime(true),
        )
        .withPanel(
            timeSeries("Latency with exemplars", "s", "p95 request duration; dots are exemplars carrying a trace ID, linked to Tempo.")
                .withTarget(promQuery(q.quantile(0.95), "p95").exemplar(true))
                .withTarget(promQuery(q.quantile(0.5), "p50")),
        )
        .withPanel(
            timeSeries("Requests and errors", "reqps", "Requests and failed requests per second.")
                .withTarget(promQuery(q.requestRate, "requests"))
                .withTarget(promQuery(q.errorRate, "errors")),
        )
        .withPanel(
            tablePanel(`Failed or slower than ${slow}`, "Recent traces of the service that failed or were slow. Click a trace ID to filter the logs below.")
                .datasource(DS.traces)
                .span(12)
                .withTarget(
                    traceqlQuery(`{ resource.service.name = ${quote(s.service)} && (status = error || duration > ${slow}) }`, 50),
                )
                .overrideByName("traceID", [
                    {
                        id: "links",
                        value: [
                            {
                                title: "Logs of this trace",
                                url: `/d/${uid}?var-trace_id=\${__value.raw}&\${cluster:queryparam}&\${__url_time_range}`,
                            },
                        ],
                    },
                ]),
        )
        .withPanel(
            timeSeries("Log lines by level", "short", "Log lines per interval, by detected level.")
                .datasource(DS.logs)
                .withTarget(lokiQuery(`sum by (detected_level) (count_over_time(${streams} [$__auto]))`, "{{detected_level}}"))
                .drawStyle(common.GraphDrawStyle.Bars)
                .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)),
        )
        .withPanel(
            new logs.PanelBuilder()
                .title("Logs")
                .description("The service's logs, filtered to the selected trace ID when one is set.")
                .datasource(DS.logs)
                .withTarget(lokiQuery(`${streams} |= "$trace_id"`))
                .showTime(true)
                .wrapLogMessage(true)
                .enableLogDetails(true)
                .sortOrder(common.LogsSortOrder.Descending)
                .height(12)
                .span(24),
        );
    return finish(builder, FOLDERS.services);
}
