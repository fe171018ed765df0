// Dashboard uids, in a module of their own (no Grafana SDK) so that whatever links to a dashboard
// (the SLO alerts' dashboard_url) computes exactly the uid the dashboard is provisioned with.

/** Grafana uids are at most 40 characters of [A-Za-z0-9_-]. */
export function dashboardUid(...parts: string[]): string {
    const uid = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
    if (uid.length <= 40) return uid;
    // Deterministic: a truncated prefix plus a short hash of the full name keeps uids unique.
    return `${uid.slice(0, 31)}-${fnv1a(uid)}`;
}

function fnv1a(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, "0");
}

/** Uid of one SLO's error-budget dashboard (slo.ts), which the SLO's burn-rate alerts link to. */
export const sloUid = (service: string, slo: string): string => dashboardUid("slo", service, slo);
