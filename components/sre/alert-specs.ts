// One alert as the platform writes it, before it becomes a Prometheus alerting rule: every alert of
// the platform's own (self-monitoring, presets) carries the same labels and links its runbook.
import type { Settings } from "../config/schema";
import type { AlertingRule } from "./rules";

export interface AlertSpec {
    alert: string;
    expr: string;
    /** None: the expression itself holds the alert long enough (an increase over a window). */
    for?: string;
    severity: "critical" | "warning" | "info";
    summary: string;
    description: string;
    /** Labels the expression's result lacks (absent() has none). */
    labels?: Record<string, string>;
}

/** docs/runbooks/<AlertName>.md under the stack's runbook base URL. */
export const runbookUrl = (settings: Settings, alert: string): string =>
    `${settings.alerting.runbookBaseUrl.replace(/\/+$/, "")}/${alert}.md`;

/** The rules of `specs` on one cluster, labelled with the component they watch. */
export function alertingRules(settings: Settings, cluster: string, component: string, specs: readonly AlertSpec[]): AlertingRule[] {
    return specs.map((a) => ({
        alert: a.alert,
        expr: a.expr,
        ...(a.for ? { for: a.for } : {}),
        labels: { severity: a.severity, cluster, component, ...(a.labels ?? {}) },
        annotations: { summary: a.summary, description: a.description, runbook_url: runbookUrl(settings, a.alert) },
    }));
}
