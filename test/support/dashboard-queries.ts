// Reads the queries back out of a dashboard model, with the language each is written in, so tests
// (and anyone auditing the JSON) can check them with the official grammars.
import type { DashboardDefinition } from "../../components/dashboards/kit";

export type QueryLanguage = "promql" | "logql" | "traceql";

export interface DashboardQuery {
    readonly dashboard: string;
    /** Panel title, or "variable <name>". */
    readonly where: string;
    readonly language: QueryLanguage;
    readonly datasourceUid: string;
    readonly text: string;
}

const LANGUAGE_OF_TYPE: Readonly<Record<string, QueryLanguage>> = { prometheus: "promql", loki: "logql", tempo: "traceql" };

type Json = Record<string, any>;

/** Panels, depth first (rows' collapsed children included). */
export function panelsOf(definition: DashboardDefinition): Json[] {
    const out: Json[] = [];
    const walk = (panels: Json[] | undefined) => {
        for (const p of panels ?? []) {
            out.push(p);
            walk(p.panels);
        }
    };
    walk(definition.model.panels as Json[] | undefined);
    return out;
}

export function variablesOf(definition: DashboardDefinition): Json[] {
    return (definition.model.templating?.list ?? []) as Json[];
}

export function queriesOf(definition: DashboardDefinition): DashboardQuery[] {
    const out: DashboardQuery[] = [];
    const add = (where: string, ds: Json | undefined, text: unknown) => {
        const language = LANGUAGE_OF_TYPE[ds?.type ?? ""];
        if (!language) throw new Error(`${definition.uid} ${where}: datasource type ${ds?.type} has no query language here`);
        if (typeof text !== "string" || text.trim() === "") throw new Error(`${definition.uid} ${where}: empty query`);
        out.push({ dashboard: definition.uid, where, language, datasourceUid: ds?.uid, text });
    };
    for (const panel of panelsOf(definition)) {
        for (const t of (panel.targets ?? []) as Json[]) {
            const ds = t.datasource ?? panel.datasource;
            add(`panel "${panel.title}" ${t.refId}`, ds, LANGUAGE_OF_TYPE[ds?.type] === "traceql" ? t.query : t.expr);
        }
    }
    for (const v of variablesOf(definition)) {
        if (v.type !== "query") continue;
        // Grafana's `label_values(<selector>, <label>)`: the selector is PromQL.
        const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(String(v.query));
        if (!m) throw new Error(`${definition.uid} variable ${v.name}: unsupported query ${v.query}`);
        add(`variable ${v.name}`, v.datasource, m[1]);
    }
    for (const a of (definition.model.annotations?.list ?? []) as Json[]) {
        if (a.builtIn) continue;
        add(`annotation ${a.name}`, a.datasource, a.expr ?? a.target?.expr);
    }
    return out;
}

/** Every datasource UID a dashboard refers to (panels, targets, variables, annotations). */
export function datasourceUidsOf(definition: DashboardDefinition): Set<string> {
    const uids = new Set<string>();
    for (const p of panelsOf(definition)) {
        if (p.datasource?.uid) uids.add(p.datasource.uid);
        for (const t of (p.targets ?? []) as Json[]) if (t.datasource?.uid) uids.add(t.datasource.uid);
    }
    for (const v of variablesOf(definition)) if (v.datasource?.uid) uids.add(v.datasource.uid);
    for (const a of (definition.model.annotations?.list ?? []) as Json[]) {
        if (!a.builtIn && a.datasource?.uid) uids.add(a.datasource.uid);
    }
    return uids;
}

/** Grafana's built-in variables (https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/#global-variables). */
export const BUILTIN_VARIABLES = new Set([
    "__rate_interval",
    "__interval",
    "__interval_ms",
    "__range",
    "__range_s",
    "__range_ms",
    "__auto",
    "__url_time_range",
    "__value",
    "__data",
    "__field",
    "__series",
    "__from",
    "__to",
    "__dashboard",
]);

/** Names of the variables a text uses: `$name`, `${name}`, `${name:format}`, `${name.path}`, `[[name]]`. */
export function variablesUsedIn(text: string): Set<string> {
    const used = new Set<string>();
    for (const m of text.matchAll(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)[^}]*\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g)) {
        used.add(m[1] ?? m[2] ?? m[3]);
    }
    return used;
}
