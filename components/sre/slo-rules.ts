// SLO rules as in the SRE workbook (chapter 5, "Alerting on SLOs"), generated from the stack's SLO
// config: SLI error ratios over every window the alerts need, metadata for dashboards and budget
// tracking, and multiwindow multi-burn-rate alerts that page on fast burns and open tickets on slow
// ones.
import type { Settings } from "../config/schema";
import { periodWindow, SLI_WINDOWS, sliErrorRatio, SLO_METRICS as META, type SliWindow } from "../dashboards/slo-metrics";
import { sloUid } from "../dashboards/uids";
import { decimal, format, multiply, shiftLeft, subtract, type Decimal } from "./decimal";
import { pascalCase, promString, selector, type AlertingRule, type RecordingRule, type RuleGroup } from "./rules";

export type ServiceSlo = Settings["slos"][number];
export type Objective = ServiceSlo["objectives"][number];

// The series names are the dashboards' (../dashboards/slo-metrics.ts): one definition, so the rules
// record exactly what the dashboards query. The windows the alerts read, shortest first:
export { SLI_WINDOWS, sliErrorRatio, type SliWindow };
export const DEFAULT_PERIOD = "30d";

/**
 * The workbook's burn-rate conditions: each fires when both its long and its short window burn
 * faster than `burnRate` times the sustainable rate. For a 30-day budget: 2% of it spent in 1h or
 * 5% in 6h pages; 10% in 1d or 10% in 3d opens a ticket.
 */
export const BURN_RATE_ALERTS = [
    { severity: "critical", long: "1h", short: "5m", burnRate: "14.4" },
    { severity: "critical", long: "6h", short: "30m", burnRate: "6" },
    { severity: "warning", long: "1d", short: "2h", burnRate: "3" },
    { severity: "warning", long: "3d", short: "6h", burnRate: "1" },
] as const satisfies readonly { severity: string; long: SliWindow; short: SliWindow; burnRate: string }[];

export const SLI_EVENTS_5M = "slo:sli_events:rate5m";
export const SLI_BAD_EVENTS_5M = "slo:sli_bad_events:rate5m";

/**
 * Labels of every SLO series. `service` and `slo` are the platform's; the `sloth_*` copies keep the
 * series readable by Sloth's published Grafana dashboards and the platform's SLO dashboards.
 */
export function sloLabels(service: ServiceSlo, objective: Objective): Record<string, string> {
    return {
        service: service.service,
        slo: objective.name,
        sloth_id: `${service.service}-${objective.name}`,
        sloth_service: service.service,
        sloth_slo: objective.name,
    };
}

/** Exact objective and budget as ratios: 99.9 -> 0.999 and 0.001. */
export function budgetOf(objective: Objective): { objective: Decimal; budget: Decimal } {
    const ratio = shiftLeft(decimal(objective.target), 2);
    return { objective: ratio, budget: subtract(decimal(1), ratio) };
}

export const alertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}ErrorBudgetBurn`;

/** The SLO period as configured ("30d" or "28d"). */
export const periodOf = (objective: Objective): string => objective.period ?? DEFAULT_PERIOD;
/** Length of the SLO period in days. */
export const periodDaysOf = (objective: Objective): number => Number(periodOf(objective).replace(/d$/, ""));
/**
 * The period as a window in rule names and ranges, formatted as Prometheus (and Sloth) format
 * durations: 30 days is "30d" but 28 days is "4w", as the dashboards query it.
 */
export const periodWindowOf = (objective: Objective): string => periodWindow(periodDaysOf(objective));

/** PromQL for the bad and all events of an SLO over a window (both summed to one series). */
export function sliQueries(objective: Objective, window: string): { bad: string; all: string } {
    if (objective.kind === "availability") {
        const all = `sum(rate(${objective.metric}${selector(objective.selector)}[${window}]))`;
        // No error series at all means no errors, not "no data": count them as zero.
        const bad = `(sum(rate(${objective.metric}${selector(objective.selector, objective.errorSelector ?? {})}[${window}])) or vector(0))`;
        return { bad, all };
    }
    if (objective.bucket === undefined) throw new Error(`latency SLO ${objective.name} has no bucket`);
    const all = `sum(rate(${objective.metric}_count${selector(objective.selector)}[${window}]))`;
    const good = `sum(rate(${objective.metric}_bucket${selector({ ...objective.selector, le: objective.bucket })}[${window}]))`;
    return { bad: `(${all} - ${good})`, all };
}

export interface SloRuleContext {
    cluster: string;
    /** Grafana base URL for dashboard links, when Grafana is reachable. */
    grafanaUrl?: string;
}

/**
 * Rule groups of one service, two per SLO: the SLI ratios with the burn-rate alerts that read them,
 * and the period and metadata recordings (budget tracking, dashboards).
 */
export function serviceSloGroups(service: ServiceSlo, ctx: SloRuleContext): RuleGroup[] {
    const groups: RuleGroup[] = [];
    for (const objective of service.objectives) {
        const id = `${service.service}-${objective.name}`;
        const labels = sloLabels(service, objective);
        const sel = selector({ service: service.service, slo: objective.name });
        const windowed = (window: string) => ({ ...labels, sloth_window: window });
        const period = periodWindowOf(objective);
        const { objective: target, budget } = budgetOf(objective);

        const sli: RecordingRule[] = SLI_WINDOWS.map((window) => {
            const q = sliQueries(objective, window);
            return { record: sliErrorRatio(window), expr: `${q.bad}\n/\n${q.all}`, labels: windowed(window) };
        });
        const q5m = sliQueries(objective, "5m");
        sli.push({ record: SLI_BAD_EVENTS_5M, expr: q5m.bad, labels }, { record: SLI_EVENTS_5M, expr: q5m.all, labels });

        // The period's ratio is derived from the recorded 5m rates, weighted by traffic, rather
        // than rate(...[30d]) over the raw series; windows without traffic add nothing.
        const meta: RecordingRule[] = [
            {
                record: sliErrorRatio(period),
                expr: `sum_over_time(${SLI_BAD_EVENTS_5M}${sel}[${period}])\n/\nsum_over_time(${SLI_EVENTS_5M}${sel}[${period}])`,
                labels: windowed(period),
            },
            { record: META.objective, expr: `vector(${format(target)})`, labels },
            { record: META.errorBudget, expr: `vector(${format(budget)})`, labels },
            { record: META.timePeriodDays, expr: `vector(${periodDaysOf(objective)})`, labels },
            { record: META.currentBurnRate, expr: `sum without (sloth_window) (${sliErrorRatio("5m")}${sel}) / ${format(budget)}`, labels },
            { record: META.periodBurnRate, expr: `sum without (sloth_window) (${sliErrorRatio(period)}${sel}) / ${format(budget)}`, labels },
            { record: META.periodErrorBudgetRemaining, expr: `1 - ${META.periodBurnRate}${sel}`, labels },
            {
                record: META.info,
                expr: "vector(1)",
                labels: { ...labels, sloth_objective: format(decimal(objective.target)), sloth_mode: "platform-generated", owner: service.owner },
            },
        ];

        // Rules of a group run in order, so the alerts read the ratios recorded in the same
        // evaluation: no extra interval of detection delay, and no race between groups.
        groups.push(
            { name: `slo-${id}`, rules: [...sli, ...burnRateAlerts(service, objective, budget, ctx), absentAlert(service, objective, ctx)] },
            { name: `slo-meta-recordings-${id}`, rules: meta },
        );
    }
    return groups;
}

function burnRateAlerts(service: ServiceSlo, objective: Objective, budget: Decimal, ctx: SloRuleContext): AlertingRule[] {
    const sel = selector({ service: service.service, slo: objective.name });
    const alert = alertNameOf(service, objective);
    const period = periodOf(objective);
    const budgetPercent = format(shiftLeft(budget, -2));
    const what = objective.kind === "availability" ? "failed" : `took longer than ${objective.thresholdSeconds}s`;
    const burnRateQuery = `${META.currentBurnRate}{service='${service.service}',slo='${objective.name}'}`;
    return (["critical", "warning"] as const).map((severity) => {
        const conditions = BURN_RATE_ALERTS.filter((a) => a.severity === severity);
        const conditionsExpr = conditions
            .map((c) => {
                const threshold = format(multiply(decimal(c.burnRate), budget));
                return `(\n  ${sliErrorRatio(c.long)}${sel} > ${threshold}\nand ignoring (sloth_window)\n  ${sliErrorRatio(c.short)}${sel} > ${threshold}\n)`;
            })
            .join("\nor\n");
        // One alert per SLO and severity, whichever window pair fires: the window label is dropped.
        // No `for`: the short window already stops a blip from paging and resets the alert soon
        // after recovery, while a `for` would only add to the time to detect (the workbook's choice).
        const expr = `max without (sloth_window) (\n${conditionsExpr}\n)`;
        const windows = conditions.map((c) => `${c.burnRate}x over ${c.long} (and ${c.short})`).join(" or ");
        const dashboard: Record<string, string> = ctx.grafanaUrl ? { dashboard_url: `${ctx.grafanaUrl}/d/${sloDashboardUid(service, objective)}` } : {};
        return {
            alert,
            expr,
            labels: {
                severity,
                service: service.service,
                slo: objective.name,
                sloth_service: service.service,
                sloth_slo: objective.name,
                owner: service.owner,
                cluster: ctx.cluster,
            },
            annotations: {
                summary:
                    severity === "critical"
                        ? `${service.service} is burning its ${objective.name} error budget fast: page`
                        : `${service.service} is burning its ${objective.name} error budget: ticket`,
                description:
                    `{{ $value | humanizePercentage }} of ${service.service} requests ${what} over the alert's long window ` +
                    `(SLO ${format(decimal(objective.target))}% over ${period}, error budget ${budgetPercent}%). ` +
                    `Current burn rate (5m): {{ with query ${promString(burnRateQuery)} }}{{ . | first | value | printf "%.1f" }}{{ else }}unknown{{ end }}x ` +
                    `the sustainable rate; this alert fires at ${windows}.`,
                runbook_url: service.runbookUrl,
                ...dashboard,
            },
        };
    });
}

export const absentAlertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}SLIMissing`;

/**
 * No series at all behind an SLI (renamed metric, broken scrape, wrong selector) would make the
 * burn-rate alerts silent forever: say so. Zero traffic is not absence: counters that exist but do
 * not move fire nothing.
 */
function absentAlert(service: ServiceSlo, objective: Objective, ctx: SloRuleContext): AlertingRule {
    const metric = objective.kind === "availability" ? objective.metric : `${objective.metric}_count`;
    return {
        alert: absentAlertNameOf(service, objective),
        expr: `absent(${metric}${selector(objective.selector)})`,
        for: "15m",
        labels: {
            severity: "warning",
            service: service.service,
            slo: objective.name,
            sloth_service: service.service,
            sloth_slo: objective.name,
            owner: service.owner,
            cluster: ctx.cluster,
        },
        annotations: {
            summary: `The SLI of ${service.service} ${objective.name} has no data: its burn-rate alerts cannot fire`,
            description: `No series match ${metric}${selector(objective.selector)} for 15 minutes (renamed metric, broken scrape or wrong selector in the SLO config).`,
            runbook_url: service.runbookUrl,
        },
    };
}

/**
 * UID of the per-SLO Grafana dashboard the alerts link to: the very uid the dashboards concern
 * provisions it with (shortened with a hash when "slo-<service>-<slo>" is over 40 characters).
 */
export const sloDashboardUid = (service: ServiceSlo, objective: Objective): string => sloUid(service.service, objective.name);
