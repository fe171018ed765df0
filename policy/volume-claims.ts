// The persistent volume claims a Helm release's values ask for, found by the value shapes charts use:
// volumeClaimTemplate(s) (a claim spec, or a template with one), and persistence / persistentVolume
// blocks with a size or a list of sized claims. The pack is published alone, so it reads values itself.

export interface ValuesClaim {
    /** Where in the values ("singleBinary.persistence", "store.volumeClaimTemplates[0]"). */
    path: string;
    storageClassName?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The spec of a claim template, which charts write with or without the `spec` level. */
const claimSpec = (template: unknown): Obj | undefined => {
    if (!isObj(template)) return undefined;
    const spec = isObj(template.spec) ? template.spec : template;
    return isObj(spec.resources) && isObj(spec.resources.requests) && spec.resources.requests.storage !== undefined ? spec : undefined;
};
const className = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function valuesClaims(values: unknown, at = ""): ValuesClaim[] {
    if (Array.isArray(values)) return values.flatMap((v, i) => valuesClaims(v, `${at}[${i}]`));
    if (!isObj(values)) return [];
    const claims: ValuesClaim[] = [];
    for (const [key, value] of Object.entries(values)) {
        const path = at ? `${at}.${key}` : key;
        const templates = key === "volumeClaimTemplate" ? [value] : key === "volumeClaimTemplates" && Array.isArray(value) ? value : [];
        templates.forEach((t, i) => {
            const spec = claimSpec(t);
            if (spec) claims.push({ path: key === "volumeClaimTemplates" ? `${path}[${i}]` : path, storageClassName: className(spec.storageClassName) });
        });
        if ((key === "persistence" || key === "persistentVolume") && isObj(value) && value.enabled !== false) {
            if (typeof value.size === "string") claims.push({ path, storageClassName: className(value.storageClassName ?? value.storageClass) });
            // Loki's chart: a list of named claims, each with its size and class.
            else if (Array.isArray(value.claims)) {
                value.claims.forEach((c, i) => {
                    if (isObj(c) && typeof c.size === "string") claims.push({ path: `${path}.claims[${i}]`, storageClassName: className(c.storageClassName ?? c.storageClass) });
                });
            }
        }
        claims.push(...valuesClaims(value, path));
    }
    return claims;
}
