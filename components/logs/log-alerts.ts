// Log alerts: LogQL alerting rules that Loki's ruler on the hub evaluates over every cluster's logs
// (one tenant per stack) and sends to the hub's Alertmanager, labelled like the Prometheus alerts so
// that pages and tickets route the same way (sre/alertmanager-config.ts routes by severity).
//
// The stack's own `logAlerts` and the platform's Kubernetes-event alerts end up in one rule file
// that the chart's rules sidecar copies into the ruler's local rule store (logs/loki.ts).
import { stringify } from "yaml";
import type { LogAlert } from "../config/log-alerts";
import type { Settings } from "../config/schema";
import { runbookUrl } from "../sre/alert-specs";
import type { AlertingRule, RuleGroup } from "../sre/rules";
import { KUBERNETES_EVENTS_JOB } from "./alloy";
import { LOKI_RULE_LABEL } from "./loki";

/** `component` label of every log alert, as the platform's alerts name what they watch. */
export const LOG_ALERT_COMPONENT = "logs";

/** Rule groups: the platform's alerts on Kubernetes events (names reserved in config/log-alerts.ts), the stack's own. */
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

/** File name of the rule file in the ConfigMap, and so in the tenant's folder of the rule store. */
const LOKI_RULE_FILE = "observability-platform.yaml";
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
