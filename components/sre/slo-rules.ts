// SLO rules as in the SRE workbook (chapter 5, "Alerting on SLOs"), generated from the stack's SLO
// config: SLI error ratios over every window the alerts need, metadata for dashboards and budget
// tracking, and multiwindow multi-burn-rate alerts that page on fast burns and open tickets on slow
// ones.
import type { Settings } from "../config/schema";
import { DEFAULT_PERIOD } from "../config/slos";
import { periodWindow, SLI_WINDOWS, sliErrorRatio, SLO_METRICS as META, type SliWindow } from "./slo-series";
import { sloUid } from "../grafana/dashboard-uids";
import { decimal, divide, format, multiply, shiftLeft, subtract, type Decimal } from "./decimal";
import { pascalCase, promString, selector, type AlertingRule, type RecordingRule, type RuleGroup } from "./rules";

export type ServiceSlo = Settings["slos"][number];
export type Objective = ServiceSlo["objectives"][number];

// The series names are the dashboards' (./slo-series.ts): one definition, so the rules
// record exactly what the dashboards query. The windows the alerts read, shortest first:
export { SLI_WINDOWS, sliErrorRatio, type SliWindow };

/**
 * The workbook's burn-rate conditions, as the share of the period's error budget that the long
 * window may spend: 2% of it in 1h or 5% in 6h pages; 10% in 1d or 10% in 3d opens a ticket. Each
 * fires when both its long and its short window burn faster than the rate that spends that share
 * (burnRateOf: 14.4, 6, 3 and 1 for 30 days; 13.44, 5.6, 2.8 and 0.933333 for 28).
 */
export const BURN_RATE_ALERTS = [
    { severity: "critical", long: "1h", longHours: 1, short: "5m", budgetShare: "0.02" },
    { severity: "critical", long: "6h", longHours: 6, short: "30m", budgetShare: "0.05" },
    { severity: "warning", long: "1d", longHours: 24, short: "2h", budgetShare: "0.1" },
    { severity: "warning", long: "3d", longHours: 72, short: "6h", budgetShare: "0.1" },
] as const satisfies readonly { severity: string; long: SliWindow; longHours: number; short: SliWindow; budgetShare: string }[];

export type BurnRateCondition = (typeof BURN_RATE_ALERTS)[number];

/**
 * The burn rate at which `condition`'s long window spends its share of a `periodDays` budget:
 * share × period / window. Rounded to 6 decimals where it does not terminate (28 days over 3 days).
 */
export function burnRateOf(condition: BurnRateCondition, periodDays: number): Decimal {
    return divide(multiply(decimal(condition.budgetShare), decimal(periodDays * 24)), decimal(condition.longHours), 6);
}

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

/**
 * The `le` value as Prometheus 3 stores it: it normalizes classic histogram bucket bounds on
 * ingestion to the float text Go's strconv gives ('g', shortest), with ".0" added to whole
 * numbers: "1" -> "1.0", "5e-1" -> "0.5", "0.00001" -> "1e-05", "1000000" -> "1e+06".
 */
export function canonicalLe(bound: string): string {
    if (/^\+?inf$/i.test(bound.trim())) return "+Inf";
    const n = Number(bound);
    if (!Number.isFinite(n)) throw new Error(`not a histogram bucket bound: ${bound}`);
    const [mantissa, exp] = n.toExponential().split("e");
    const exponent = Number(exp);
    if (exponent < -4 || exponent >= 6) {
        // Go's %e: at least two exponent digits.
        const e = Math.abs(exponent).toString().padStart(2, "0");
        return `${mantissa}e${exponent < 0 ? "-" : "+"}${e}`;
    }
    const fixed = n.toFixed(Math.max(0, (mantissa.split(".")[1]?.length ?? 0) - exponent));
    return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/**
 * A regex matching the bucket's `le` as Prometheus 3 stores it and as Prometheus 2 kept what the
 * exporter wrote (the shortest decimal, or the spelling in the SLO config): "1" matches "1.0" and "1".
 */
export function leMatcher(bound: string): string {
    if (canonicalLe(bound) === "+Inf") return "\\+Inf";
    const spellings = [...new Set([canonicalLe(bound), String(Number(bound)), bound.trim()])];
    return spellings.map((x) => x.replace(/[.+*?^$()[\]{}|\\]/g, "\\$&")).join("|");
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** Seconds in a rule window such as "5m" or "3d". */
function windowSeconds(window: string): number {
    const m = /^(\d+)([smhdw])$/.exec(window);
    if (!m) throw new Error(`not a rule window: ${window}`);
    return Number(m[1]) * UNIT_SECONDS[m[2]];
}

/** PromQL for the bad and all events of an SLO over a window (both summed to one series). */
export function sliQueries(objective: Objective, window: string): { bad: string; all: string } {
    if (objective.kind === "probe") {
        // Each sample of probe_success is one probe, 1 or 0: the probes over the window are its
        // samples, the successful ones their sum. Divided by the window, both are per-second rates
        // like the other kinds' (the ratio does not change).
        const series = `${objective.metric}${selector(objective.selector)}[${window}]`;
        const seconds = windowSeconds(window);
        const all = `(sum(count_over_time(${series})) / ${seconds})`;
        const bad = `((sum(count_over_time(${series})) - sum(sum_over_time(${series}))) / ${seconds})`;
        return { bad, all };
    }
    if (objective.kind === "availability") {
        const all = `sum(rate(${objective.metric}${selector(objective.selector)}[${window}]))`;
        // No error series at all means no errors, not "no data": count them as zero.
        const bad = `(sum(rate(${objective.metric}${selector(objective.selector, objective.errorSelector ?? {})}[${window}])) or vector(0))`;
        return { bad, all };
    }
    if (objective.bucket === undefined) throw new Error(`latency SLO ${objective.name} has no bucket`);
    const all = `sum(rate(${objective.metric}_count${selector(objective.selector)}[${window}]))`;
    const good = `sum(rate(${objective.metric}_bucket${selector(objective.selector, { le: leMatcher(objective.bucket) })}[${window}]))`;
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
            {
                name: `slo-${id}`,
                rules: [
                    ...sli,
                    ...burnRateAlerts(service, objective, budget, ctx),
                    sliMissingAlert(service, objective, ctx),
                    ...(objective.minRequestRate !== undefined ? [trafficLowAlert(service, objective, ctx)] : []),
                ],
            },
            { name: `slo-meta-recordings-${id}`, rules: [...meta, ...budgetPolicyAlerts(service, objective, budget, ctx)] },
        );
    }
    return groups;
}

function burnRateAlerts(service: ServiceSlo, objective: Objective, budget: Decimal, ctx: SloRuleContext): AlertingRule[] {
    const sel = selector({ service: service.service, slo: objective.name });
    const alert = alertNameOf(service, objective);
    const period = periodOf(objective);
    const budgetPercent = format(shiftLeft(budget, -2));
    const what = objective.kind === "latency" ? `took longer than ${objective.thresholdSeconds}s` : "failed";
    const events = objective.kind === "probe" ? "probes" : "requests";
    const burnRateQuery = `${META.currentBurnRate}{service='${service.service}',slo='${objective.name}'}`;
    return (["critical", "warning"] as const).map((severity) => {
        const conditions = BURN_RATE_ALERTS.filter((a) => a.severity === severity);
        const days = periodDaysOf(objective);
        const conditionsExpr = conditions
            .map((c) => {
                const threshold = format(multiply(burnRateOf(c, days), budget));
                return `(\n  ${sliErrorRatio(c.long)}${sel} > ${threshold}\nand ignoring (sloth_window)\n  ${sliErrorRatio(c.short)}${sel} > ${threshold}\n)`;
            })
            .join("\nor\n");
        // One alert per SLO and severity, whichever window pair fires: the window label is dropped.
        // No `for`: the short window already stops a blip from paging and resets the alert soon
        // after recovery, while a `for` would only add to the time to detect (the workbook's choice).
        const expr = `max without (sloth_window) (\n${conditionsExpr}\n)`;
        const windows = conditions.map((c) => `${format(burnRateOf(c, days))}x over ${c.long} (and ${c.short})`).join(" or ");
        return {
            alert,
            expr,
            labels: { ...alertLabels(service, objective, ctx), severity },
            annotations: {
                summary:
                    severity === "critical"
                        ? `${service.service} is burning its ${objective.name} error budget fast: page`
                        : `${service.service} is burning its ${objective.name} error budget: ticket`,
                description:
                    `{{ $value | humanizePercentage }} of ${service.service} ${events} ${what} over the alert's long window ` +
                    `(SLO ${format(decimal(objective.target))}% over ${period}, error budget ${budgetPercent}%). ` +
                    `Current burn rate (5m): {{ with query ${promString(burnRateQuery)} }}{{ . | first | value | printf "%.1f" }}{{ else }}unknown{{ end }}x ` +
                    `the sustainable rate; this alert fires at ${windows}.`,
                runbook_url: service.runbookUrl,
                ...dashboardLink(service, objective, ctx),
            },
        };
    });
}

export const absentAlertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}SLIMissing`;

export const trafficLowAlertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}TrafficLow`;

/** The SLO dashboard as an alert annotation, when Grafana has a URL. */
const dashboardLink = (service: ServiceSlo, objective: Objective, ctx: SloRuleContext): Record<string, string> =>
    ctx.grafanaUrl ? { dashboard_url: `${ctx.grafanaUrl}/d/${sloDashboardUid(service, objective)}` } : {};

const alertLabels = (service: ServiceSlo, objective: Objective, ctx: SloRuleContext) => ({
    severity: "warning",
    service: service.service,
    slo: objective.name,
    sloth_service: service.service,
    sloth_slo: objective.name,
    owner: service.owner,
    cluster: ctx.cluster,
});

/** The counter of all the SLI's events, with the service's selector. */
const totalSeries = (objective: Objective): string =>
    `${countedMetric(objective)}${selector(objective.selector)}`;

/** The series counted as the SLI's events: a latency histogram's _count, else the metric itself (a counter, or probe_success). */
const countedMetric = (objective: Objective): string => (objective.kind === "latency" ? `${objective.metric}_count` : objective.metric);

/**
 * The SLI's series are missing, so its burn-rate alerts would stay silent forever while its ratio
 * reads 0: no series match the total at all (renamed metric, broken scrape, wrong selector); or the
 * total exists but none of its series carries a label the error selector matches on (`status` where
 * the service exports `code`: errors would never be counted), or the histogram has no bucket at the
 * latency threshold. A healthy service without errors yet has the label (on its good requests) and
 * stays quiet; zero traffic is not absence either.
 */
function sliMissingAlert(service: ServiceSlo, objective: Objective, ctx: SloRuleContext): AlertingRule {
    const total = totalSeries(objective);
    const metric = countedMetric(objective);
    const conditions = [`absent(${total})`];
    const needed: string[] = [];
    if (objective.kind === "availability") {
        for (const label of Object.keys(objective.errorSelector ?? {}).sort()) {
            conditions.push(`(count(${total}) unless on () count(${metric}${selector(objective.selector, { [label]: ".+" })}))`);
            needed.push(`a ${label} label`);
        }
    } else if (objective.bucket !== undefined) {
        const bucket = `${objective.metric}_bucket${selector(objective.selector, { le: leMatcher(objective.bucket) })}`;
        conditions.push(`(count(${total}) unless on () count(${bucket}))`);
        needed.push(`a bucket le="${canonicalLe(objective.bucket)}"`);
    }
    return {
        alert: absentAlertNameOf(service, objective),
        expr: conditions.join("\nor\n"),
        for: "15m",
        labels: alertLabels(service, objective, ctx),
        annotations: {
            summary: `The SLI of ${service.service} ${objective.name} is missing its series: its burn-rate alerts cannot fire`,
            description:
                `For 15 minutes either no series match ${total} (renamed metric, broken scrape or wrong selector in the SLO config)` +
                (needed.length > 0 ? `, or none of them has ${needed.join(" or ")}, so bad requests are never counted` : "") +
                ".",
            runbook_url: service.runbookUrl,
        },
    };
}

/**
 * Opt-in (`minRequestRate`): traffic below the service's floor, as when requests no longer reach
 * its pods. The counters then exist but stop moving, which no burn-rate or missing-SLI alert sees.
 */
function trafficLowAlert(service: ServiceSlo, objective: Objective, ctx: SloRuleContext): AlertingRule {
    const floor = format(decimal(objective.minRequestRate as number));
    return {
        alert: trafficLowAlertNameOf(service, objective),
        expr: `sum(rate(${totalSeries(objective)}[10m])) < ${floor}`,
        for: "15m",
        labels: alertLabels(service, objective, ctx),
        annotations: {
            summary: `${service.service} receives less traffic than its floor of ${floor} requests per second`,
            description: `{{ $value | humanize }} requests per second over 10 minutes, below the SLO's minRequestRate of ${floor}, for 15 minutes: requests may not reach the service.`,
            runbook_url: service.runbookUrl,
        },
    };
}

export const budgetExhaustedAlertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}ErrorBudgetExhausted`;
export const budgetLowAlertNameOf = (service: ServiceSlo, objective: Objective): string =>
    `${pascalCase(service.service)}${pascalCase(objective.name)}ErrorBudgetLow`;

/** Share of the period's budget under which the owners are told the budget is running out. */
export const BUDGET_LOW_SHARE = "0.25";

/**
 * The error-budget policy as alerts: with the period's budget spent, releases freeze except P0 and
 * security fixes (a ticket, labelled `policy="release-freeze"`, and what `npm run slo:gate` checks);
 * with a quarter of it left, the owners hear so (info). They read the period recordings, evaluated
 * just before them in the same group. Without traffic the ratio is 0/0 and neither fires.
 */
function budgetPolicyAlerts(service: ServiceSlo, objective: Objective, budget: Decimal, ctx: SloRuleContext): AlertingRule[] {
    const sel = selector({ service: service.service, slo: objective.name });
    const remaining = `${META.periodErrorBudgetRemaining}${sel}`;
    const period = periodOf(objective);
    const wholeMinutes = format(multiply(budget, decimal(periodDaysOf(objective) * 24 * 60)));
    const labels = alertLabels(service, objective, ctx);
    return [
        {
            alert: budgetExhaustedAlertNameOf(service, objective),
            expr: `${remaining} <= 0`,
            for: "5m",
            labels: { ...labels, severity: "warning", policy: "release-freeze" },
            annotations: {
                summary: `${service.service} has spent its ${objective.name} error budget for the ${period} period: releases freeze except P0 and security fixes`,
                description: `{{ $value | humanizePercentage }} of the ${period} budget (${wholeMinutes} minutes of full outage) is left. Per the error-budget policy, only P0 and security fixes ship until the budget recovers.`,
                runbook_url: service.runbookUrl,
                ...dashboardLink(service, objective, ctx),
            },
        },
        {
            alert: budgetLowAlertNameOf(service, objective),
            expr: `${remaining} > 0 and ${remaining} < ${BUDGET_LOW_SHARE}`,
            for: "5m",
            labels: { ...labels, severity: "info" },
            annotations: {
                summary: `${service.service} has less than a quarter of its ${objective.name} error budget left for the ${period} period`,
                description: `{{ $value | humanizePercentage }} of the ${period} budget (${wholeMinutes} minutes of full outage in all) is left.`,
                runbook_url: service.runbookUrl,
                ...dashboardLink(service, objective, ctx),
            },
        },
    ];
}

/**
 * UID of the per-SLO Grafana dashboard the alerts link to: the very uid the dashboards concern
 * provisions it with (shortened with a hash when "slo-<service>-<slo>" is over 40 characters).
 */
export const sloDashboardUid = (service: ServiceSlo, objective: Objective): string => sloUid(service.service, objective.name);
