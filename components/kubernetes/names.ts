// The shapes of Kubernetes names as the config accepts them, one definition each; every key that
// takes such a name says in its own words what the name is for.
import { z } from "zod";

/** A DNS label of at most 40 characters, starting with a letter: room for a chart's suffixes. */
export const SHORT_DNS_LABEL = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** An RFC 1123 label (namespaces, Service port names). */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An RFC 1123 subdomain (Secret names). */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces Kubernetes itself keeps: never the platform's own. */
export const RESERVED_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

export const shortName = (error: string) => z.string().regex(SHORT_DNS_LABEL, { error });

export const namespaceName = (example = "shop") =>
    z.string().regex(DNS_1123_LABEL, {
        error: `a Kubernetes namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit, such as "${example}"`,
    });

export const secretName = z
    .string()
    .regex(DNS_1123_SUBDOMAIN, { error: "a Kubernetes Secret name (a lowercase DNS subdomain)" })
    .max(253, { error: "a Kubernetes Secret name of at most 253 characters" });

export const secretKey = z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
    error: "a key of the Secret's data: letters, digits, '-', '_' or '.'",
});

type Problem = { path: (string | number)[]; expected: string; given: unknown };

/**
 * The entries of the list at `candidate[key]` whose `name` an earlier entry already has (defensive:
 * the schema reports entries of the wrong shape).
 */
export function duplicateNameProblems(candidate: Record<string, unknown>, key: string, expected: string): Problem[] {
    const list = candidate[key];
    if (!Array.isArray(list)) return [];
    const seen = new Set<string>();
    const problems: Problem[] = [];
    list.forEach((entry, i) => {
        const name = typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : undefined;
        if (typeof name !== "string") return;
        if (seen.has(name)) problems.push({ path: [key, i, "name"], expected, given: name });
        seen.add(name);
    });
    return problems;
}
