// Parses dashboard queries with the official Lezer grammars (the ones Grafana's and Prometheus' own
// editors use): PromQL, LogQL, TraceQL. Template variables are substituted first, since the grammars
// do not know Grafana's `$var` syntax: built-in intervals by representative durations, dashboard
// variables by a representative label value (so a variable used anywhere but a label value fails).
import { parser as logql } from "@grafana/lezer-logql";
import { parser as traceql } from "@grafana/lezer-traceql";
import { parser as promql } from "@prometheus-io/lezer-promql";
import type { QueryLanguage } from "./dashboard-queries";

const REPRESENTATIVE_BUILTINS: Readonly<Record<string, string>> = {
    __rate_interval: "5m",
    __interval: "1m",
    __auto: "1m",
    __range: "6h",
    __range_s: "21600",
    __range_ms: "21600000",
    __interval_ms: "60000",
};
const REPRESENTATIVE_VALUE = "representative-value";

/** The query with `$__rate_interval`, `$cluster`... replaced by values the grammar accepts. */
export function substituteVariables(text: string): string {
    return text.replace(
        /\$\{([a-zA-Z_][a-zA-Z0-9_]*)[^}]*\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g,
        (_m, a?: string, b?: string, c?: string) => REPRESENTATIVE_BUILTINS[(a ?? b ?? c)!] ?? REPRESENTATIVE_VALUE,
    );
}

const PARSERS = { promql, logql, traceql } as const;
type Tree = ReturnType<typeof promql.parse>;

export function parseQuery(language: QueryLanguage, text: string): { tree: Tree; source: string } {
    const source = substituteVariables(text);
    return { tree: PARSERS[language].parse(source), source };
}

/** Error nodes of the parse, each as "offset N near `...`"; empty when the query is valid. */
export function parseErrors(language: QueryLanguage, text: string): string[] {
    const { tree, source } = parseQuery(language, text);
    const errors: string[] = [];
    tree.iterate({
        enter(node) {
            if (node.type.isError) errors.push(`offset ${node.from} near \`${source.slice(Math.max(0, node.from - 15), node.to + 15)}\``);
        },
    });
    return errors;
}

/** Metric names a PromQL query selects (the identifier of each vector selector). */
export function promqlMetricNames(text: string): Set<string> {
    const { tree, source } = parseQuery("promql", text);
    const names = new Set<string>();
    tree.iterate({
        enter(node) {
            if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
                names.add(source.slice(node.from, node.to));
            }
        },
    });
    return names;
}

export interface PromqlSelector {
    /** Metric name; empty for a selector of labels only. */
    readonly metric: string;
    /** Label matchers as written, the value unquoted: { label: "job", op: "=", value: "api" }. */
    readonly matchers: readonly { label: string; op: string; value: string }[];
}

/** Every vector selector of a PromQL query, with its label matchers. */
export function promqlSelectors(text: string): PromqlSelector[] {
    const { tree, source } = parseQuery("promql", text);
    const out: PromqlSelector[] = [];
    const at = (n: { from: number; to: number }) => source.slice(n.from, n.to);
    tree.iterate({
        enter(node) {
            if (node.name !== "VectorSelector") return;
            const id = node.node.getChild("Identifier");
            const matchers: { label: string; op: string; value: string }[] = [];
            for (const m of node.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
                const [label, op, value] = ["LabelName", "MatchOp", "StringLiteral"].map((n) => m.getChild(n));
                if (label && op && value) matchers.push({ label: at(label), op: at(op), value: JSON.parse(at(value)) as string });
            }
            out.push({ metric: id ? at(id) : "", matchers });
        },
    });
    return out;
}
