// Where an application runs in the fleet: a list of the stack's cluster names, the hub when left out.
// Its SLOs' rules and alerts, and the monitors that scrape it, are placed on those clusters only.
import { z } from "zod";

export const clusterNamesSchema = z
    .array(z.string({ error: "a cluster name" }), { error: "a list of cluster names" })
    .min(1, { error: "at least one cluster name (or leave the key out for the hub)" });

type Problem = { path: (string | number)[]; expected: string; given: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Each `<path>.clusters[j]` of `entry` that names no cluster of the stack (defensive: shapes may be invalid). */
export function unknownEntryClusterProblems(candidate: Record<string, unknown>, entry: unknown, path: (string | number)[]): Problem[] {
    if (!isObject(entry) || !Array.isArray(entry.clusters)) return [];
    const known = Array.isArray(candidate.clusters) ? candidate.clusters.map((c) => (isObject(c) ? c.name : undefined)).filter((n) => typeof n === "string") : [];
    return entry.clusters.flatMap((name, j) =>
        typeof name === "string" && !known.includes(name) ? [{ path: [...path, "clusters", j], expected: `a cluster of this stack (${known.join(", ")})`, given: name }] : [],
    );
}

/** Each `<key>[i].clusters[j]` that names no cluster of the stack. */
export function unknownClusterProblems(candidate: Record<string, unknown>, key: string): Problem[] {
    const entries = candidate[key];
    return Array.isArray(entries) ? entries.flatMap((entry, i) => unknownEntryClusterProblems(candidate, entry, [key, i])) : [];
}

/** The clusters an entry runs on: its own list, else the hub. */
export function placedOn(clusters: readonly { name: string; role: string }[], entry: { readonly clusters?: readonly string[] }): readonly string[] {
    return entry.clusters ?? clusters.filter((c) => c.role === "hub").map((c) => c.name);
}
