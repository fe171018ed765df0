// Log alerts: LogQL alerting rules that Loki's ruler on the hub evaluates over every cluster's logs
// (one tenant per stack) and sends to the hub's Alertmanager, labelled like the Prometheus alerts so
// that pages and tickets route the same way (sre/alertmanager-config.ts routes by severity).
//
// The stack's own `logAlerts` and the platform's Kubernetes-event alerts end up in one rule file
// that the chart's rules sidecar copies into the ruler's local rule store (logs/loki.ts).
import { stringify } from "yaml";
import { z } from "zod";
import type { Settings } from "../config/schema";
import { runbookUrl } from "../sre/alert-specs";
import { httpsUrl } from "../sre/config-schema";
import { LONE_SURROGATE } from "../sre/escape";
import type { AlertingRule, RuleGroup } from "../sre/rules";
import { KUBERNETES_EVENTS_JOB } from "./alloy";
import { LOKI_RULE_LABEL } from "./loki";

export const LOG_ALERT_SEVERITIES = ["critical", "warning", "info"] as const;

/** `component` label of every log alert, as the platform's alerts name what they watch. */
export const LOG_ALERT_COMPONENT = "logs";

// Prometheus' convention for alert names: CamelCase, which also keeps them out of YAML's way.
const alertName = z.string().regex(/^[A-Z][A-Za-z0-9]{0,62}$/, {
    error: 'an alert name in CamelCase: a capital letter, then letters and digits (at most 63), such as "CheckoutErrorLogBurst"',
});
// Loki's ruler reads Prometheus durations; an alert held more than a day is no alert.
const holdFor = z.string().regex(/^(0|[1-9][0-9]*[smh])$/, { error: 'a duration such as "5m" (s, m or h), or "0" to fire at once' });
// Copied into the rule file and the notifications: one line of text, no Go template of its own.
const text = (what: string) =>
    z
        .string({ error: what })
        .min(1, { error: `a non-empty ${what}` })
        .max(300, { error: `a ${what} of at most 300 characters` })
        .refine((v) => !/[\n\r\0]|\{\{|\}\}/.test(v) && !LONE_SURROGATE.test(v), {
            error: `a ${what} on one line, without template delimiters ({{ or }})`,
        });

/**
 * Why `expr` cannot be a log alert's expression, or undefined. A hand-written shape check only:
 * the LogQL grammar (@grafana/lezer-logql) is a devDependency that declares Node 24 while this
 * program runs on Node 20, so the grammar checks every stack file's expressions in the tests
 * (test/log-alerts.test.ts), and the config refuses here what can never be a metric query.
 */
export function logAlertExprProblem(expr: string): string | undefined {
    if (!/\{[^}]*\}/.test(expr)) return "a LogQL metric query with a stream selector, such as {namespace=\"shop\"}";
    if (!/\[[0-9]+[smhd]\]/.test(expr)) return "a LogQL metric query over a range, such as count_over_time({namespace=\"shop\"} [5m]): a log query returns lines, not a number to compare";
    if (/(^|[^=!<>])(>|<|==|!=|>=|<=)\s*-?[0-9.]+\s*$/.test(expr)) return "an expression without its own comparison: the threshold key adds it";
    const open = [...expr].filter((c) => c === "(").length;
    const close = [...expr].filter((c) => c === ")").length;
    if (open !== close) return `an expression with balanced parentheses (${open} opened, ${close} closed)`;
    return undefined;
}

export const logAlertSchema = z.strictObject({
    name: alertName,
    /** A LogQL metric query; the rule fires when its value exceeds `threshold`. Keep `cluster` in its grouping. */
    expr: z
        .string({ error: "a LogQL metric query" })
        .superRefine((v, ctx) => {
            const why = logAlertExprProblem(v);
            if (why !== undefined) ctx.addIssue({ code: "custom", message: why });
        }),
    threshold: z.number({ error: "a number the expression's value must exceed" }).min(0, { error: "a number of at least 0" }),
    for: holdFor.default("5m"),
    severity: z.enum(LOG_ALERT_SEVERITIES, { error: 'one of "critical" | "warning" | "info" (routed like the Prometheus alerts)' }),
    /** Default: docs/runbooks/<name>.md under alerting.runbookBaseUrl. */
    runbook: httpsUrl.optional(),
    summary: text("summary").optional(),
});

export const logAlertsSchema = z.array(logAlertSchema, { error: "a list of log alerts (name, expr, threshold, severity...)" });

export type LogAlert = Settings["logAlerts"][number];

/** The platform's alerts on Kubernetes events, which a stack's log alerts may not shadow. */
export const EVENT_ALERT_GROUP = "observability-platform-kubernetes-events";
export const STACK_LOG_ALERT_GROUP = "observability-platform-log-alerts";

const EVENTS = `{job="${KUBERNETES_EVENTS_JOB}"}`;
const BY = "cluster, namespace, kind, name";

/**
 * Repeated failure events (the API server aggregates repeats into one Event whose count rises, and
 * every update is a new line): one bad pod or node is an alert, one event is not.
 */
export function eventAlertRules(settings: Settings): AlertingRule[] {
    const rule = (alert: string, pipeline: string, window: string, above: number, severity: string, summary: string, description: string): AlertingRule => ({
        alert,
        expr: `sum by (${BY}) (count_over_time(${EVENTS} ${pipeline} [${window}])) > ${above}`,
        for: "0s",
        labels: { severity, component: "kubernetes-events" },
        annotations: { summary, description, runbook_url: runbookUrl(settings, alert) },
    });
    return [
        rule(
            "KubeEventsOOMKilling",
            // GKE's node-problem-detector reports a kernel OOM kill on the Node.
            '| logfmt | reason="OOMKilling"',
            "30m",
            2,
            "warning",
            "Repeated OOM kills on a node",
            "{{ $labels.kind }} {{ $labels.name }} in {{ $labels.cluster }} reported more than 2 OOM kills in 30 minutes: a container keeps exceeding its memory limit.",
        ),
        rule(
            "KubeEventsFailedScheduling",
            '| logfmt | reason="FailedScheduling"',
            "15m",
            5,
            "warning",
            "A pod keeps failing to schedule",
            "{{ $labels.kind }} {{ $labels.namespace }}/{{ $labels.name }} in {{ $labels.cluster }} failed scheduling more than 5 times in 15 minutes (no node fits its requests, affinity or volumes).",
        ),
        rule(
            "KubeEventsImagePullBackOff",
            // The kubelet reports a failing pull as reason Failed (ErrImagePull, ImagePullBackOff) and
            // its retries as reason BackOff with "Back-off pulling image"; the line filter first, so
            // only those lines are parsed.
            '|~ "ErrImagePull|ImagePullBackOff|Back-off pulling image" | logfmt | reason=~"Failed|BackOff"',
            "15m",
            3,
            "warning",
            "A pod keeps failing to pull its image",
            "{{ $labels.kind }} {{ $labels.namespace }}/{{ $labels.name }} in {{ $labels.cluster }} failed to pull its image more than 3 times in 15 minutes: a wrong tag, a missing image or no pull credentials.",
        ),
    ];
}

export const EVENT_ALERT_NAMES = ["KubeEventsOOMKilling", "KubeEventsFailedScheduling", "KubeEventsImagePullBackOff"] as const;

/** A stack's log alert as a rule: the threshold becomes the comparison, the labels route it. */
export function logAlertRule(settings: Settings, a: LogAlert): AlertingRule {
    return {
        alert: a.name,
        expr: `${a.expr} > ${a.threshold}`,
        for: a.for,
        labels: { severity: a.severity, component: LOG_ALERT_COMPONENT },
        annotations: {
            summary: a.summary ?? `Log alert ${a.name} is over its threshold of ${a.threshold}`,
            description: `The LogQL query of log alert ${a.name} is {{ $value }}, over ${a.threshold}, in {{ $labels.cluster }}.`,
            runbook_url: a.runbook ?? runbookUrl(settings, a.name),
        },
    };
}

/** Every rule group Loki's ruler evaluates for the stack's tenant. */
export function lokiRuleGroups(settings: Settings): RuleGroup[] {
    return [
        { name: EVENT_ALERT_GROUP, interval: "1m", rules: eventAlertRules(settings) },
        ...(settings.logAlerts.length > 0
            ? [{ name: STACK_LOG_ALERT_GROUP, interval: "1m", rules: settings.logAlerts.map((a) => logAlertRule(settings, a)) }]
            : []),
    ];
}

type Problem = { path: (string | number)[]; expected: string; given: unknown };

/** Across entries: unique names, none taking a platform event alert's. */
export function logAlertConfigProblems(candidate: Record<string, unknown>): Problem[] {
    const list = candidate.logAlerts;
    if (!Array.isArray(list)) return [];
    const seen = new Set<string>();
    const problems: Problem[] = [];
    list.forEach((entry, i) => {
        const name = typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : undefined;
        if (typeof name !== "string") return;
        if ((EVENT_ALERT_NAMES as readonly string[]).includes(name)) {
            problems.push({ path: ["logAlerts", i, "name"], expected: `a name other than the platform's event alerts (${EVENT_ALERT_NAMES.join(", ")})`, given: name });
        } else if (seen.has(name)) {
            problems.push({ path: ["logAlerts", i, "name"], expected: "an alert name no other log alert has", given: name });
        }
        seen.add(name);
    });
    return problems;
}

/** File name of the rule file in the ConfigMap, and so in the tenant's folder of the rule store. */
export const LOKI_RULE_FILE = "observability-platform.yaml";
export const LOKI_RULES_CONFIGMAP = "loki-rules-platform";

/** The rule file Loki's ruler reads: Prometheus' rule-file shape with LogQL expressions. */
export function lokiRuleFile(settings: Settings): string {
    return stringify({ groups: lokiRuleGroups(settings) }, { lineWidth: 0 });
}

/** The ConfigMap the rules sidecar picks up (hub only, in Loki's namespace). */
export function lokiRulesConfigMap(settings: Settings) {
    return {
        metadata: {
            name: LOKI_RULES_CONFIGMAP,
            namespace: settings.namespaces.logging,
            labels: { [LOKI_RULE_LABEL.key]: LOKI_RULE_LABEL.value, "app.kubernetes.io/part-of": "observability-platform" },
        },
        data: { [LOKI_RULE_FILE]: lokiRuleFile(settings) },
    };
}
