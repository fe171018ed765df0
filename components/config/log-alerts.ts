// The stack's `logAlerts`: their shape, and the names the platform's own event alerts keep
// (logs/log-alerts.ts turns both into the rule file Loki's ruler evaluates).
import { z } from "zod";
import type { DeepReadonly } from "./deep-readonly";
import { httpsUrl } from "./slos";
import type { ConfigProblem } from "./errors";
import { LONE_SURROGATE } from "./text";

export const LOG_ALERT_SEVERITIES = ["critical", "warning", "info"] as const;

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

export type LogAlert = DeepReadonly<z.output<typeof logAlertSchema>>;

/** The platform's alerts on Kubernetes events (logs/log-alerts.ts), which a stack's log alerts may not shadow. */
export const EVENT_ALERT_NAMES = ["KubeEventsOOMKilling", "KubeEventsFailedScheduling", "KubeEventsImagePullBackOff"] as const;

/** Across entries: unique names, none taking a platform event alert's. */
export function logAlertConfigProblems(candidate: Record<string, unknown>): ConfigProblem[] {
    const list = candidate.logAlerts;
    if (!Array.isArray(list)) return [];
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
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
