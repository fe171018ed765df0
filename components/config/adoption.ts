// Adopting what already runs on a cluster (`clusters[].adopt`). The program reads nothing live, so a
// stack says which of the releases it installs already exist there, under which Helm release name and
// namespace. Pulumi then manages that release (after `pulumi import`, see tools/adopt.ts): Helm
// upgrades it in place instead of installing a second copy beside it.
import { z } from "zod";
import { DNS_1123_LABEL, namespaceName, RESERVED_NAMESPACES } from "../kubernetes/names";

/**
 * The releases a stack may adopt, by the name the program gives them when it installs them itself,
 * with the key of `namespaces` they go to and the clusters they are on.
 */
export const ADOPTABLE_RELEASES = {
    "kube-prometheus-stack": { namespaceKey: "monitoring", hubOnly: false },
    argocd: { namespaceKey: "gitops", hubOnly: false },
    "otel-gateway": { namespaceKey: "tracing", hubOnly: false },
    "opentelemetry-operator": { namespaceKey: "tracing", hubOnly: false },
    "alloy-logs": { namespaceKey: "logging", hubOnly: false },
    loki: { namespaceKey: "logging", hubOnly: true },
    tempo: { namespaceKey: "tracing", hubOnly: true },
} as const satisfies Record<string, { namespaceKey: NamespaceKey; hubOnly: boolean }>;
export type AdoptableRelease = keyof typeof ADOPTABLE_RELEASES;
type NamespaceKey = "monitoring" | "logging" | "tracing" | "gitops";

const ADOPTABLE = Object.keys(ADOPTABLE_RELEASES) as AdoptableRelease[];

// Helm's own rule for release names: a DNS label of at most 53 characters (the rest of 63 is for suffixes).
const helmReleaseName = z
    .string()
    .regex(DNS_1123_LABEL, { error: "a Helm release name: lowercase letters, digits and '-', starting and ending with a letter or digit" })
    .max(53, { error: "a Helm release name of at most 53 characters (Helm's limit)" });

const existingRelease = z.strictObject({
    /** The release's name as `helm list -A` shows it. */
    releaseName: helmReleaseName,
    /** Its namespace as `helm list -A` shows it: it must be the platform's namespace for that release. */
    namespace: namespaceName("monitoring"),
});

export const adoptSchema = z.strictObject({
    /** Releases already on the cluster, by the program's name for them. */
    releases: z.strictObject(Object.fromEntries(ADOPTABLE.map((r) => [r, existingRelease.optional()])) as Record<AdoptableRelease, z.ZodOptional<typeof existingRelease>>).optional(),
    /** Platform namespaces that already exist without a release to adopt in them (imported too). */
    namespaces: z.array(namespaceName("monitoring"), { error: "a list of namespace names" }).optional(),
});

interface ClusterLike {
    readonly role: string;
    readonly adopt?: { readonly releases?: Readonly<Partial<Record<AdoptableRelease, { readonly releaseName: string; readonly namespace: string }>>>; readonly namespaces?: readonly string[] };
}

/** The Helm release name the program uses for `release` on `cluster`: the adopted one, or its own. */
export function helmReleaseNameOf(cluster: ClusterLike, release: string): string {
    return cluster.adopt?.releases?.[release as AdoptableRelease]?.releaseName ?? release;
}

/** The adopted releases of a cluster, in ADOPTABLE_RELEASES order. */
export function adoptedReleases(cluster: ClusterLike): { release: AdoptableRelease; releaseName: string; namespace: string }[] {
    return ADOPTABLE.flatMap((release) => {
        const found = cluster.adopt?.releases?.[release];
        return found ? [{ release, releaseName: found.releaseName, namespace: found.namespace }] : [];
    });
}

/** Namespaces that exist before the first `pulumi up`: those of adopted releases and the ones listed. */
export function existingNamespaces(cluster: ClusterLike): string[] {
    return [...new Set([...adoptedReleases(cluster).map((r) => r.namespace), ...(cluster.adopt?.namespaces ?? [])])].sort();
}

type Problem = { path: (string | number)[]; expected: string; given: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// What a second copy beside the running one would break, said where the stack asks for it.
const SECOND_COPY: Record<AdoptableRelease, string> = {
    "kube-prometheus-stack": "a second kube-prometheus-stack beside it would fail: its node-exporter takes host port 9100 on every node, and two operators would reconcile the same Prometheus CRDs",
    argocd: "a second Argo CD beside it would fail: the chart's CRDs belong to the running release, and Helm refuses them for another (invalid ownership metadata)",
    "otel-gateway": "the platform's collector and its network policies live in that namespace",
    "opentelemetry-operator": "a second operator beside it would fail: the chart's CRDs and webhooks are cluster-wide and belong to the running release",
    "alloy-logs": "a second Alloy DaemonSet beside it would ship every pod log twice",
    loki: "the platform's log store and its network policies live in that namespace",
    tempo: "the platform's trace store and its network policies live in that namespace",
};

/**
 * Adoption rules that span keys (defensive: shapes may be invalid). An adopted release must be in the
 * namespace the platform gives that release, must be one the program installs on that cluster, and
 * no two releases may end up with one Helm name in one namespace.
 */
export function adoptionConfigProblems(candidate: Record<string, unknown>): Problem[] {
    if (!Array.isArray(candidate.clusters)) return [];
    const namespaces = isObject(candidate.namespaces) ? candidate.namespaces : {};
    const problems: Problem[] = [];
    candidate.clusters.forEach((cluster, i) => {
        if (!isObject(cluster) || !isObject(cluster.adopt)) return;
        const releases = isObject(cluster.adopt.releases) ? cluster.adopt.releases : {};
        const taken = new Map<string, string>();
        for (const release of ADOPTABLE) {
            const found = releases[release];
            const path = ["clusters", i, "adopt", "releases", release];
            const { namespaceKey, hubOnly } = ADOPTABLE_RELEASES[release];
            const platformNs = namespaces[namespaceKey];
            if (isObject(found) && hubOnly && cluster.role !== "hub") {
                problems.push({ path, expected: `no entry: the program installs ${release} on the hub only, and ${String(cluster.name)} is a ${String(cluster.role)}`, given: found });
                continue;
            }
            // An invalid platform namespace is that key's own problem, not the adoption's.
            const validPlatformNs = typeof platformNs === "string" && DNS_1123_LABEL.test(platformNs) && !RESERVED_NAMESPACES.includes(platformNs);
            if (isObject(found) && typeof found.namespace === "string" && validPlatformNs && found.namespace !== platformNs) {
                problems.push({
                    path: [...path, "namespace"],
                    expected:
                        `"${platformNs}", the platform's namespace for ${release} (namespaces.${namespaceKey}): to adopt the release in ${found.namespace}, ` +
                        `set namespaces.${namespaceKey} to "${found.namespace}"; ${SECOND_COPY[release]}`,
                    given: found.namespace,
                });
            }
            // The Helm name each release ends up with in its namespace, adopted or the program's own.
            const name = isObject(found) && typeof found.releaseName === "string" ? found.releaseName : release;
            const ns = typeof platformNs === "string" ? platformNs : namespaceKey;
            const other = taken.get(`${ns}/${name}`);
            if (other) {
                problems.push({
                    path: [...path, "releaseName"],
                    expected: `a release name other than "${name}", which ${other} has in namespace ${ns} (Helm release names are unique per namespace)`,
                    given: name,
                });
            }
            taken.set(`${ns}/${name}`, release);
        }
        const listed = cluster.adopt.namespaces;
        if (Array.isArray(listed)) {
            const platform = Object.values(namespaces).filter((n): n is string => typeof n === "string");
            listed.forEach((ns, j) => {
                if (typeof ns === "string" && !platform.includes(ns)) {
                    problems.push({
                        path: ["clusters", i, "adopt", "namespaces", j],
                        expected: `one of the platform's namespaces (${[...new Set(platform)].join(", ")}): only those are created by the program and so need an import`,
                        given: ns,
                    });
                }
            });
        }
    });
    return problems;
}
