// Prometheus rule groups as plain data: what a PrometheusRule's spec.groups holds and what
// `promtool check rules` reads from a `groups:` file.
import { queryString } from "./escape";

export interface RecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
}

export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
    name: string;
    /** Evaluation interval when it differs from Prometheus' global one. */
    interval?: string;
    rules: Rule[];
}

export const isAlertingRule = (rule: Rule): rule is AlertingRule => "alert" in rule;

/** A PromQL string literal that reads back as `value` (see ./escape.ts). */
export const promString = queryString;

/** `{a="x",b=~"y"}` from equality and regex matchers, in a stable order. */
export function selector(equal: Readonly<Record<string, string>>, regex: Readonly<Record<string, string>> = {}): string {
    const parts = [
        ...Object.keys(equal)
            .sort()
            .map((k) => `${k}=${promString(equal[k])}`),
        ...Object.keys(regex)
            .sort()
            .map((k) => `${k}=~${promString(regex[k])}`),
    ];
    return `{${parts.join(",")}}`;
}

/** "ojeomneo-server" -> "OjeomneoServer". */
export const pascalCase = (text: string): string =>
    text
        .split(/[^a-zA-Z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join("");
