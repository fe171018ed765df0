// Config keys outside the project's namespace: the providers' own are read by them, a near miss of
// the project's name is a typo whose keys would silently do nothing, anything else is only noted.

/** Namespaces of the providers the program uses, and Pulumi's own. */
export const PROVIDER_NAMESPACES = ["gcp", "kubernetes", "random", "tls", "pulumi"] as const;

/** Levenshtein distance, for near misses such as "observability-platfrom". */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

export type ForeignKey = "provider" | "near-miss" | "unknown";

/** How a config key of another namespace than `project`'s is taken. */
export function classifyForeignKey(project: string, key: string): ForeignKey {
    const namespace = key.slice(0, key.indexOf(":"));
    if ((PROVIDER_NAMESPACES as readonly string[]).includes(namespace)) return "provider";
    // Two edits at most, and not a short name that is merely different ("aws").
    return editDistance(namespace.toLowerCase(), project.toLowerCase()) <= 2 && namespace.length > 3 ? "near-miss" : "unknown";
}

/** Project keys the program never reads because another namespace owns the setting. */
export const SHADOWING_KEYS: Readonly<Record<string, string>> = {
    project: "nothing: the GCP project is gcp:project (the provider's key, which the program reads)",
    region: "nothing: the GCP region is gcp:region (the provider's key, which the program reads)",
    stack: "nothing: the stack's name is Pulumi's own (pulumi stack select)",
};
