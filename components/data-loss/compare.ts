// What going from one inventory of stored data to the next deletes, one sentence per loss. A loss is
// named once, at the largest thing that goes: a removed cluster covers its namespaces, releases and
// disks; a removed namespace the releases in it; a removed bucket the data in it. Namespaces are
// retained on delete, so what is lost with one is the platform's releases in it, not the namespace.
import type { BucketRecord, ClusterRecord, DataInventory, ReleaseRecord, RetentionRecord } from "./inventory";

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const volumes = (r: ReleaseRecord) => r.volumes.map((v) => `${v.name} ${v.sizeGi} GiB`).join(", ");
const releaseList = (rs: readonly ReleaseRecord[]) => rs.map((r) => `${r.name} (${volumes(r)})`).join(", ");
const protectedNote = (b: BucketRecord) => (b.protected ? "; it is protected, so pulumi up also stops at it until it is unprotected" : "");

function heldBy(retentions: readonly RetentionRecord[], where: (r: RetentionRecord) => boolean): string {
    const held = retentions.filter(where);
    return held.length > 0 ? `, and with it ${held.map((r) => `${days(r.days)} of ${r.what} ${r.where}`).join(", ")}` : "";
}

/** One line per loss, in a stable order; empty when the change deletes no stored data. */
export function dataLoss(previous: DataInventory, next: DataInventory): string[] {
    const out: string[] = [];
    // What a line already covers, so that nothing inside it is named again.
    const goneBuckets = new Set<string>();
    const goneClusters = new Set<string>();
    const goneReleases = new Set<string>();
    const releaseId = (cluster: string, release: string) => `${cluster}/${release}`;

    const nextBuckets = new Map(next.buckets.map((b) => [b.key, b]));
    for (const old of previous.buckets) {
        const now = nextBuckets.get(old.key);
        // A new name, project or location is a new bucket: Pulumi deletes the old one.
        const changed = now ? (["namePrefix", "project", "location"] as const).filter((k) => now[k] !== old[k]) : [];
        if (now && changed.length === 0) continue;
        goneBuckets.add(old.key);
        const inside = previous.retentions.filter((r) => "bucket" in r.in && r.in.bucket === old.key);
        const holds = old.state
            ? `${old.state} and ${inside.map((r) => `${days(r.days)} of their superseded versions`).join("")}`
            : inside.map((r) => `${days(r.days)} of ${r.what}`).join(", ");
        out.push(
            now
                ? `replaces bucket ${old.key} (${changed.map((k) => `${k} ${old[k]} -> ${now[k]}`).join(", ")}): the old one is deleted with ${holds}${protectedNote(old)}`
                : `deletes bucket ${old.key} (${old.namePrefix}-…) with ${holds}${protectedNote(old)}`,
        );
    }

    const nextClusters = new Map(next.clusters.map((c) => [c.name, c]));
    for (const old of previous.clusters) {
        const now = nextClusters.get(old.name);
        if (!now) {
            goneClusters.add(old.name);
            // Namespaces are retained on delete (cluster-platform.ts): they stay, what the platform installed goes.
            out.push(
                `removes cluster ${old.name} from the stack: uninstalls releases ${releaseList(old.releases)} and deletes StorageClass ${old.storageClass} ` +
                    `(its namespaces ${old.namespaces.join(", ")} stay, with what others put in them)` +
                    heldBy(previous.retentions, (r) => "cluster" in r.in && r.in.cluster === old.name),
            );
            continue;
        }
        out.push(...clusterLosses(old, now, previous.retentions, (release) => goneReleases.add(releaseId(old.name, release))));
    }

    const nextRetentions = new Map(next.retentions.map((r) => [r.id, r]));
    for (const old of previous.retentions) {
        if ("bucket" in old.in ? goneBuckets.has(old.in.bucket) : goneClusters.has(old.in.cluster) || goneReleases.has(releaseId(old.in.cluster, old.in.release))) continue;
        const now = nextRetentions.get(old.id);
        if (!now) {
            out.push(`${old.what}: the ${days(old.days)} kept ${old.where} are given up: the new configuration keeps no ${old.what} there and does not move them (${old.key})`);
        } else if (now.days < old.days) {
            const lost = old.days - now.days;
            out.push(`${old.what}: ${old.days} -> ${days(now.days)} deletes the ${lost === 1 ? "oldest day" : `${lost} oldest days`} of ${old.what} ${old.where} (${now.key})`);
        }
    }
    return out;
}

/** Losses on a cluster that stays: its StorageClass, namespaces and releases with volumes. */
function clusterLosses(old: ClusterRecord, now: ClusterRecord, retentions: readonly RetentionRecord[], gone: (release: string) => void): string[] {
    const out: string[] = [];
    const stored = (release: string) => heldBy(retentions, (r) => "cluster" in r.in && r.in.cluster === old.name && r.in.release === release);
    if (now.storageClass !== old.storageClass) {
        out.push(`deletes StorageClass ${old.storageClass} on ${old.name}, which the platform's volumes were provisioned from (the new one is ${now.storageClass})`);
    }
    const removedNamespaces = old.namespaces.filter((ns) => !now.namespaces.includes(ns));
    for (const ns of removedNamespaces) {
        const inside = old.releases.filter((r) => r.namespace === ns);
        inside.forEach((r) => gone(r.name));
        // The namespace itself is retained on delete: only the platform's releases in it are lost.
        if (inside.length === 0) continue;
        out.push(`removes namespace ${ns} on ${old.name} from the stack: uninstalls releases ${releaseList(inside)}${inside.map((r) => stored(r.name)).join("")} (the namespace stays)`);
    }
    const nextReleases = new Map(now.releases.map((r) => [r.name, r]));
    for (const release of old.releases.filter((r) => !removedNamespaces.includes(r.namespace))) {
        const then = nextReleases.get(release.name);
        if (!then) {
            gone(release.name);
            out.push(`uninstalls release ${release.name} (${release.chart}) on ${old.name}: its volumes (${volumes(release)}) are given up${stored(release.name)}`);
        } else if (then.namespace !== release.namespace || then.chart !== release.chart) {
            gone(release.name);
            const what = then.namespace !== release.namespace ? `namespace ${release.namespace} -> ${then.namespace}` : `chart ${release.chart} -> ${then.chart}`;
            out.push(`replaces release ${release.name} on ${old.name} (${what}): the old one is uninstalled and its volumes (${volumes(release)}) are given up${stored(release.name)}`);
        }
    }
    return out;
}
