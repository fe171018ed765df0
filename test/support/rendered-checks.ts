// Checks on a plan's rendered objects: each returns the problems it finds (empty = fine), so a test
// can assert both that a plan passes and that a broken object is caught.
import { parse } from "yaml";
import type { PlannedResource } from "../../tools/offline/plan";
import { describe as describeObject, type K8sObject, type RenderedPlan, type RenderedRelease } from "./rendered";

const K8S_PROVIDER = (cluster: string) => `${cluster}-k8s`;
const WORKLOAD_IDENTITY = "iam.gke.io/gcp-service-account";
const namespaceOf = (o: K8sObject, r: RenderedRelease) => o.metadata.namespace ?? r.release.namespace;
const inputs = (r: PlannedResource) => r.inputs as Record<string, any>;

/** Pulumi-declared Kubernetes objects of one cluster, by type. */
function pulumiObjects(rp: RenderedPlan, cluster: string, type: string): K8sObject[] {
    return rp.plan.resources.filter((r) => r.type === type && r.provider === K8S_PROVIDER(cluster)).map((r) => inputs(r) as K8sObject);
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob), if it is one. */
export function podSpecOf(o: K8sObject): Record<string, any> | undefined {
    return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
}

const containersOf = (pod: Record<string, any>): Record<string, any>[] => [...(pod.initContainers ?? []), ...(pod.containers ?? [])];

/** Image repository without registry host, tag or digest: "docker.io/grafana/loki:3.7.6" -> "grafana/loki". */
function imageRepository(image: string): string {
    const noDigest = image.split("@")[0];
    const lastSlash = noDigest.lastIndexOf("/");
    const colon = noDigest.indexOf(":", lastSlash + 1);
    const repo = colon >= 0 ? noDigest.slice(0, colon) : noDigest;
    const parts = repo.split("/");
    return (parts.length > 1 && /[.:]/.test(parts[0]) ? parts.slice(1) : parts).join("/");
}

/** Whether a release's rendered configuration names a bucket (Loki's, Tempo's and Mimir's GCS backends). */
const configNamesBucket = (r: RenderedRelease) =>
    r.objects.some((o) => o.kind === "ConfigMap" && Object.values(o.data ?? {}).some((v) => /\bbucket_name:/.test(String(v))));

/** What a workload does with its bucket, hence the roles it needs (and, short of admin, must not exceed). */
type BucketUse = "read" | "upload" | "admin";
const ROLES_FOR: Record<BucketUse, string[]> = {
    read: ["roles/storage.objectViewer"],
    upload: ["roles/storage.objectCreator", "roles/storage.objectViewer"],
    admin: ["roles/storage.objectAdmin"],
};

/**
 * How a workload's pods use object storage, if they do: Loki's, Tempo's and Mimir's binaries when
 * their configuration names a bucket (each writes, compacts and deletes), Thanos components given a
 * bucket configuration by their subcommand (the store gateway reads, the compactor deletes, any
 * other uploads).
 */
function objectStorageUse(pod: Record<string, any>, bucketConfigured: boolean): BucketUse | undefined {
    const uses = containersOf(pod).flatMap((c): BucketUse[] => {
        if (bucketConfigured && /^grafana\/(loki|tempo|mimir)$/.test(imageRepository(String(c.image ?? "")))) return ["admin"];
        const args: unknown[] = c.args ?? [];
        if (!args.some((a) => typeof a === "string" && a.startsWith("--objstore.config"))) return [];
        return [args[0] === "store" ? "read" : args[0] === "compact" ? "admin" : "upload"];
    });
    return uses.includes("admin") ? "admin" : uses.includes("upload") ? "upload" : uses[0];
}

/**
 * Every workload that uses object storage runs as a Kubernetes service account the plan creates in
 * its namespace, annotated for Workload Identity with a GCP service account the plan creates, whose
 * bucket roles are exactly those its use needs (on every bucket it has any). In the long-term tier
 * there must be some.
 */
export function workloadIdentityProblems(rp: RenderedPlan): string[] {
    const problems: string[] = [];
    const gsas = new Set(
        rp.plan.resources
            .filter((r) => r.type === "gcp:serviceaccount/account:Account")
            .map((r) => `${inputs(r).accountId}@${inputs(r).project}.iam.gserviceaccount.com`),
    );
    // Member -> bucket -> roles.
    const grants = new Map<string, Map<string, string[]>>();
    for (const r of rp.plan.resources.filter((x) => x.type === "gcp:storage/bucketIAMMember:BucketIAMMember")) {
        const { member, bucket, role } = inputs(r);
        const byBucket = grants.get(member) ?? new Map<string, string[]>();
        byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), role].sort());
        grants.set(member, byBucket);
    }
    let users = 0;
    for (const r of rp.releases) {
        const ksas = pulumiObjects(rp, r.cluster, "kubernetes:core/v1:ServiceAccount");
        const check = (what: string, namespace: string, account: string | undefined, use: BucketUse) => {
            users++;
            const ksa = ksas.find((k) => k.metadata.name === account && k.metadata.namespace === namespace);
            const gsa = ksa?.metadata.annotations?.[WORKLOAD_IDENTITY];
            const byBucket = gsa ? grants.get(`serviceAccount:${gsa}`) : undefined;
            if (!account) problems.push(`${r.release.resource}: ${what} uses object storage as the default service account`);
            else if (!ksa) problems.push(`${r.release.resource}: ${what} runs as ${namespace}/${account}, which the plan does not create`);
            else if (!gsa) problems.push(`${r.release.resource}: ${what} runs as ${namespace}/${account}, which has no ${WORKLOAD_IDENTITY} annotation`);
            else if (!gsas.has(gsa)) problems.push(`${r.release.resource}: ${what} impersonates ${gsa}, which the plan does not create`);
            else if (!byBucket) problems.push(`${r.release.resource}: ${what} impersonates ${gsa}, which has no bucket access`);
            else {
                for (const [bucket, roles] of byBucket) {
                    if (roles.join() !== ROLES_FOR[use].join()) {
                        problems.push(`${r.release.resource}: ${what} needs ${use} access (${ROLES_FOR[use].join(", ")}) but ${gsa} has ${roles.join(", ")} on ${bucket}`);
                    }
                }
            }
        };
        const bucketConfigured = configNamesBucket(r);
        for (const o of r.objects) {
            const pod = podSpecOf(o);
            const use = pod ? objectStorageUse(pod, bucketConfigured) : undefined;
            if (pod && use) check(describeObject(o), namespaceOf(o, r), pod.serviceAccountName, use);
            // The Thanos sidecar uploads as Prometheus itself, the Thanos Ruler as its own account.
            if (o.kind === "Prometheus" && o.spec?.thanos?.objectStorageConfig) check(describeObject(o), namespaceOf(o, r), o.spec.serviceAccountName, "upload");
            if (o.kind === "ThanosRuler" && o.spec?.objectStorageConfig) check(describeObject(o), namespaceOf(o, r), o.spec.serviceAccountName, "upload");
        }
    }
    if (rp.plan.settings.tier === "long-term" && users === 0) problems.push("no rendered workload uses object storage in the long-term tier");
    return problems;
}

export interface ClaimExpectation {
    /** "<chart>/<kind>/<object name>/<claim name>" pattern; "*" matches any one part, "x*" a part starting with x. */
    claim: string;
    sizeGi: number;
}

/**
 * Every PersistentVolumeClaim and claim template the releases create (and the Prometheus and
 * Alertmanager custom resources' claim templates) uses the plan's StorageClass at the size the
 * expectations give; a claim no expectation covers is a problem too.
 */
export function claimProblems(rp: RenderedPlan, expected: readonly ClaimExpectation[]): string[] {
    const problems: string[] = [];
    for (const r of rp.releases) {
        const classes = pulumiObjects(rp, r.cluster, "kubernetes:storage.k8s.io/v1:StorageClass").map((s) => s.metadata.name);
        const claims: { id: string; spec: Record<string, any> }[] = [];
        for (const o of r.objects) {
            const base = `${r.release.chart}/${o.kind}/${o.metadata.name}`;
            if (o.kind === "PersistentVolumeClaim") claims.push({ id: `${base}/${o.metadata.name}`, spec: o.spec });
            for (const t of o.spec?.volumeClaimTemplates ?? []) claims.push({ id: `${base}/${t.metadata?.name}`, spec: t.spec });
            const template = (["Prometheus", "Alertmanager", "ThanosRuler"].includes(o.kind) ? o.spec?.storage : undefined)?.volumeClaimTemplate;
            if (template) claims.push({ id: `${base}/storage`, spec: template.spec });
        }
        for (const c of claims) {
            const where = `${r.release.resource}: claim ${c.id}`;
            const match = expected.find((e) => matchesPattern(e.claim, c.id));
            if (!match) {
                problems.push(`${where} is not expected`);
                continue;
            }
            if (!classes.includes(c.spec?.storageClassName)) {
                problems.push(`${where} uses StorageClass ${c.spec?.storageClassName}, not the platform's (${classes.join(", ") || "none planned"})`);
            }
            const size = c.spec?.resources?.requests?.storage;
            if (size !== `${match.sizeGi}Gi`) problems.push(`${where} requests ${size}, expected ${match.sizeGi}Gi`);
        }
    }
    return problems;
}

function matchesPattern(pattern: string, id: string): boolean {
    const p = pattern.split("/");
    const parts = id.split("/");
    return p.length === parts.length && p.every((x, i) => x === parts[i] || (x.endsWith("*") && parts[i].startsWith(x.slice(0, -1))));
}

/** Image references anywhere in an object: every string under a key named `image`. */
export function imagesOf(node: unknown, out: string[] = []): string[] {
    if (Array.isArray(node)) for (const x of node) imagesOf(x, out);
    else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
            if (k === "image" && typeof v === "string") out.push(v);
            else imagesOf(v, out);
        }
    }
    return out;
}

/** An image is pinned when it names a digest, or a tag that is not `latest`. */
export function imageProblem(image: string): string | undefined {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    if (colon < 0) return `${image} has no tag`;
    const tag = image.slice(colon + 1);
    if (tag === "" || tag === "latest") return `${image} is not pinned`;
    return undefined;
}

export function imagePinProblems(rp: RenderedPlan): string[] {
    const problems: string[] = [];
    for (const r of rp.releases) {
        for (const o of r.objects) {
            for (const image of imagesOf(o.spec ?? {})) {
                const p = imageProblem(image);
                if (p) problems.push(`${r.release.resource}: ${describeObject(o)}: ${p}`);
            }
        }
    }
    return problems;
}

interface ServicePort {
    port: number;
    name?: string;
}

/** Services each cluster will have, by "<name>.<namespace>": rendered ones, Pulumi's, and the operator's. */
export function servicesByCluster(rp: RenderedPlan): Map<string, Map<string, ServicePort[]>> {
    const out = new Map<string, Map<string, ServicePort[]>>();
    const add = (cluster: string, name: string, namespace: string, ports: ServicePort[]) => {
        if (!out.has(cluster)) out.set(cluster, new Map());
        out.get(cluster)!.set(`${name}.${namespace}`, ports);
    };
    for (const r of rp.releases) {
        for (const o of r.objects) {
            const ns = namespaceOf(o, r);
            if (o.kind === "Service") add(r.cluster, o.metadata.name, ns, (o.spec?.ports ?? []).map((p: ServicePort) => ({ port: p.port, name: p.name })));
            // prometheus-operator creates a governing Service for the pods of each Prometheus,
            // Alertmanager and ThanosRuler: prometheus-operated (web 9090, Thanos gRPC 10901 with a sidecar) and
            // alertmanager-operated (web 9093, cluster 9094).
            if (o.kind === "Prometheus") add(r.cluster, "prometheus-operated", ns, [{ port: 9090 }, ...(o.spec?.thanos ? [{ port: 10901 }] : [])]);
            if (o.kind === "Alertmanager") add(r.cluster, "alertmanager-operated", ns, [{ port: 9093 }, { port: 9094 }]);
            // thanos-ruler-operated: gRPC (Store API) 10901, web 10902.
            if (o.kind === "ThanosRuler") add(r.cluster, "thanos-ruler-operated", ns, [{ port: 10901 }, { port: 10902 }]);
        }
    }
    // GKE's cluster DNS Service, on every cluster (resolvers name it).
    for (const cluster of rp.plan.settings.clusters) add(cluster.name, "kube-dns", "kube-system", [{ port: 53 }]);
    for (const r of rp.plan.resources.filter((x) => x.type === "kubernetes:core/v1:Service")) {
        const cluster = r.provider?.replace(/-k8s$/, "");
        const s = inputs(r) as K8sObject;
        if (cluster) add(cluster, s.metadata.name, s.metadata.namespace ?? "default", (s.spec?.ports ?? []).map((p: ServicePort) => ({ port: p.port, name: p.name })));
    }
    return out;
}

/** A YAML document without its disabled blocks (maps with `enabled: false`): their addresses are never dialled. */
function withoutDisabledBlocks(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(withoutDisabledBlocks);
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(
        Object.entries(node)
            .filter(([, v]) => !(typeof v === "object" && v !== null && (v as Record<string, unknown>).enabled === false))
            .map(([k, v]) => [k, withoutDisabledBlocks(v)]),
    );
}

function configMapData(data: Record<string, string>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(data).map(([k, v]) => {
            try {
                const doc: unknown = parse(v);
                return [k, typeof doc === "object" && doc !== null ? withoutDisabledBlocks(doc) : v];
            } catch {
                return [k, v]; // Not YAML (nginx.conf, Alloy's configuration): scanned as text.
            }
        }),
    );
}

/** Texts of one cluster's configuration: rendered objects (Secrets decoded) and Pulumi's ConfigMaps. */
function configTexts(rp: RenderedPlan, cluster: string): { where: string; text: string }[] {
    const out: { where: string; text: string }[] = [];
    for (const r of rp.releases.filter((x) => x.cluster === cluster)) {
        for (const o of r.objects) {
            if (o.kind === "CustomResourceDefinition") continue;
            const decoded =
                o.kind === "Secret" && o.data
                    ? { ...o, data: Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")])) }
                    : o.kind === "ConfigMap" && o.data
                      ? { ...o, data: configMapData(o.data) }
                      : o;
            out.push({ where: `${r.release.resource}: ${describeObject(o)}`, text: JSON.stringify(decoded) });
        }
    }
    for (const r of rp.plan.resources.filter((x) => x.provider === K8S_PROVIDER(cluster) && x.type === "kubernetes:core/v1:ConfigMap")) {
        out.push({ where: `Pulumi ${r.name}`, text: JSON.stringify(r.inputs) });
    }
    return out;
}

/** In-cluster addresses: [scheme://][<pod>.]<service>.<namespace>.svc[.cluster.local][:port]. */
const ADDRESS = /(?:(https?|grpc):\/\/)?((?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?(?::(\d+))?/g;

export interface AddressReport {
    problems: string[];
    /** Addresses checked, and those of releases that were not rendered (unverifiable here). */
    checked: number;
    unverifiable: string[];
}

/**
 * Every in-cluster address the configuration names resolves to a Service of the same cluster with
 * that port (no port: 80 for http, 443 for https). A bare host name (a DNS name to resolve, a
 * memberlist peer, a certificate's name) must name a Service. Addresses of Services of a release that was
 * not rendered (`unrenderedServicePrefixes`) are listed apart.
 */
export function addressProblems(rp: RenderedPlan, unrenderedServicePrefixes: readonly string[] = []): AddressReport {
    const services = servicesByCluster(rp);
    const problems = new Set<string>();
    const unverifiable = new Set<string>();
    let checked = 0;
    for (const cluster of rp.plan.settings.clusters.map((c) => c.name)) {
        const known = services.get(cluster) ?? new Map();
        for (const { where, text } of configTexts(rp, cluster)) {
            for (const m of text.matchAll(ADDRESS)) {
                const [address, scheme, host, , , namespace, , port] = m;
                const labels = host.split(".");
                const candidates = [labels.join("."), labels[labels.length - 1]].map((service) => `${service}.${namespace}`);
                const key = candidates.find((c) => known.has(c));
                if (!key) {
                    if (unrenderedServicePrefixes.some((p) => labels[labels.length - 1].startsWith(p))) unverifiable.add(`${cluster}: ${address}`);
                    else problems.add(`${where}: ${address} names no Service of cluster ${cluster}`);
                    continue;
                }
                checked++;
                const wanted = port ? Number(port) : scheme === "https" ? 443 : scheme === "http" ? 80 : undefined;
                if (wanted !== undefined && !known.get(key)!.some((p: ServicePort) => p.port === wanted)) {
                    problems.add(`${where}: ${address}: Service ${key} has no port ${wanted}`);
                }
            }
        }
    }
    return { problems: [...problems], checked, unverifiable: [...unverifiable] };
}

/**
 * What GKE runs in kube-system that a platform Service may select: kube-dns pods, whose metrics are
 * the dnsmasq and kubedns sidecars' ports. Controller-manager, scheduler and etcd run in Google's
 * control plane, and kube-proxy (where it runs at all) serves metrics on localhost only.
 */
export const GKE_KUBE_SYSTEM_PODS: readonly { labels: Readonly<Record<string, string>>; ports: readonly number[] }[] = [
    { labels: { "k8s-app": "kube-dns" }, ports: [10054, 10055] },
];

interface GkeFinding {
    /** "<namespace>/<name>" of the Service. */
    service: string;
    problem: string;
}

function gkeServiceFindings(releases: readonly RenderedRelease[]): GkeFinding[] {
    const findings: GkeFinding[] = [];
    for (const r of releases) {
        for (const o of r.objects) {
            if (o.kind !== "Service" || namespaceOf(o, r) !== "kube-system") continue;
            const service = `kube-system/${o.metadata.name}`;
            const selector: Record<string, string> = o.spec?.selector ?? {};
            const pods = GKE_KUBE_SYSTEM_PODS.find((p) => Object.entries(p.labels).every(([k, v]) => selector[k] === v));
            if (!pods) {
                findings.push({ service, problem: `${r.release.resource}: ${describeObject(o)} selects ${JSON.stringify(selector)}, which GKE does not run` });
                continue;
            }
            for (const port of o.spec?.ports ?? []) {
                const target = typeof port.targetPort === "number" ? port.targetPort : port.port;
                if (!pods.ports.includes(target)) {
                    findings.push({ service, problem: `${r.release.resource}: ${describeObject(o)} targets port ${target}, which GKE's pods do not serve` });
                }
            }
        }
    }
    return findings;
}

/** Services the platform renders into kube-system must select GKE's own pods on ports they serve. */
export function gkeServiceProblems(rp: RenderedPlan): string[] {
    return gkeServiceFindings(rp.releases).map((f) => f.problem);
}

/**
 * Jobs the rendered scrape configuration gives its targets: for each ServiceMonitor, the Services it
 * selects (rendered ones, and the two every cluster has: `kubernetes` in default, labelled
 * component=apiserver, and the kubelet Service prometheus-operator keeps in kube-system), named by
 * the Service's `jobLabel` label when the monitor sets one, else by the Service's name.
 */
export function scrapedJobs(rp: RenderedPlan, cluster: string): Set<string> {
    const services: { name: string; namespace: string; labels: Record<string, string> }[] = [
        { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
        { name: "kube-prometheus-stack-kubelet", namespace: "kube-system", labels: { "app.kubernetes.io/name": "kubelet", "k8s-app": "kubelet" } },
    ];
    const releases = rp.releases.filter((r) => r.cluster === cluster);
    const withoutTargets = new Set(gkeServiceFindings(releases).map((f) => f.service));
    for (const r of releases) {
        for (const o of r.objects) {
            if (o.kind !== "Service") continue;
            const namespace = namespaceOf(o, r);
            // A Service selecting nothing GKE runs has no targets, hence no job.
            if (withoutTargets.has(`${namespace}/${o.metadata.name}`)) continue;
            services.push({ name: o.metadata.name, namespace, labels: o.metadata.labels ?? {} });
        }
    }
    const jobs = new Set<string>();
    for (const r of releases) {
        for (const m of r.objects.filter((o) => o.kind === "ServiceMonitor")) {
            const own = namespaceOf(m, r);
            const namespaces: string[] | undefined = m.spec?.namespaceSelector?.any ? undefined : (m.spec?.namespaceSelector?.matchNames ?? [own]);
            const match: Record<string, string> = m.spec?.selector?.matchLabels ?? {};
            for (const s of services) {
                if (namespaces && !namespaces.includes(s.namespace)) continue;
                if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
                const job = m.spec?.jobLabel ? s.labels[m.spec.jobLabel] : undefined;
                jobs.add(job ?? s.name);
            }
        }
    }
    return jobs;
}

/** `job` values a PromQL expression selects with = or =~ (regex alternatives of plain names). */
export function selectedJobs(expr: string): string[] {
    const out: string[] = [];
    for (const m of expr.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/g)) {
        const [, op, value] = m;
        if (op === "=") out.push(value);
        else for (const alt of value.split("|")) if (/^[A-Za-z0-9_-]+$/.test(alt)) out.push(alt);
    }
    return out;
}

/** Rules of the charts' PrometheusRules that select a job nothing on the cluster scrapes: they can never resolve (or fire). */
export function unresolvableRuleProblems(rp: RenderedPlan): string[] {
    const problems: string[] = [];
    for (const cluster of rp.plan.settings.clusters.map((c) => c.name)) {
        const jobs = scrapedJobs(rp, cluster);
        for (const r of rp.releases.filter((x) => x.cluster === cluster)) {
            for (const o of r.objects.filter((x) => x.kind === "PrometheusRule")) {
                for (const group of o.spec?.groups ?? []) {
                    for (const rule of group.rules ?? []) {
                        for (const job of selectedJobs(String(rule.expr))) {
                            if (!jobs.has(job)) problems.push(`${r.release.resource}: ${o.metadata.name} ${rule.alert ?? rule.record} selects job="${job}", which nothing scrapes`);
                        }
                    }
                }
            }
        }
    }
    return problems;
}

/** A value of a YAML config held by a rendered ConfigMap (`key` in its data), parsed. */
export function renderedConfig(r: RenderedRelease, configMap: string, key: string): Record<string, any> {
    const cm = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === configMap);
    if (!cm?.data?.[key]) throw new Error(`${r.release.resource} renders no ConfigMap ${configMap} with ${key}`);
    return parse(cm.data[key]);
}

/** Every value under a key of this name, at any depth. */
export function valuesUnder(node: unknown, key: string, out: unknown[] = []): unknown[] {
    if (Array.isArray(node)) for (const x of node) valuesUnder(x, key, out);
    else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
            if (k === key) out.push(v);
            valuesUnder(v, key, out);
        }
    }
    return out;
}
