// Reads the chart reference data in ../shared/charts and checks value key paths against it.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { deepMerge } from "../../components/config/settings";
import { SUBCHART_REFERENCES } from "../../components/charts/pins";

export const SHARED_CHARTS = path.resolve(__dirname, "..", "..", "..", "shared", "charts");

export function chartYaml(referenceDir: string): { name: string; version: string; appVersion?: string } {
    return parse(fs.readFileSync(path.join(SHARED_CHARTS, referenceDir, "Chart.yaml"), "utf8"));
}

/** The chart's default values, with the values of bundled subcharts we have references for. */
export function chartValues(referenceDir: string): Record<string, unknown> {
    const own = parse(fs.readFileSync(path.join(SHARED_CHARTS, referenceDir, "values.yaml"), "utf8")) ?? {};
    for (const [key, subDir] of Object.entries(SUBCHART_REFERENCES[referenceDir] ?? {})) {
        // The parent's section overrides the subchart's defaults, as Helm merges them.
        own[key] = deepMerge(chartValues(subDir), own[key] ?? {});
    }
    return own;
}

/** Helm repository of each chart folder, from the table in ../shared/charts/README.md. */
export function chartRepositories(): Record<string, { repo: string; version: string }> {
    const readme = fs.readFileSync(path.join(SHARED_CHARTS, "README.md"), "utf8");
    const out: Record<string, { repo: string; version: string }> = {};
    for (const line of readme.split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        const folder = /^`([^`/]+)\/`/.exec(cells[1] ?? "");
        const repo = /(https:\/\/\S+|oci:\/\/\S+?)(`|\s|$)/.exec(cells[2] ?? "");
        if (folder && repo && !out[folder[1]]) out[folder[1]] = { repo: repo[1].replace(/`$/, ""), version: cells[3] };
    }
    return out;
}

/**
 * Key paths (dot-joined) that the chart declares nowhere. `accepted` lists patterns of keys taken
 * as they are, with everything below them: "/" separates keys, "*" matches one key, "**" any number.
 */
export function undeclaredValuePaths(
    values: unknown,
    defaults: unknown,
    accepted: readonly string[],
    prefix: string[] = [],
): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values)) return [];
    const declared = typeof defaults === "object" && defaults !== null && !Array.isArray(defaults) ? defaults : {};
    const out: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const here = [...prefix, key];
        if (accepted.some((pattern) => matches(pattern.split("/"), here))) continue;
        if (!(key in declared)) out.push(here.join("."));
        else out.push(...undeclaredValuePaths(value, (declared as Record<string, unknown>)[key], accepted, here));
    }
    return out;
}

function matches(pattern: readonly string[], pathParts: readonly string[]): boolean {
    if (pattern.length === 0) return pathParts.length === 0;
    const [head, ...rest] = pattern;
    if (head === "**") {
        for (let i = 0; i <= pathParts.length; i++) if (matches(rest, pathParts.slice(i))) return true;
        return false;
    }
    if (pathParts.length === 0) return false;
    return (head === "*" || head === pathParts[0]) && matches(rest, pathParts.slice(1));
}
