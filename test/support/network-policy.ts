// A hand-written evaluator of Kubernetes NetworkPolicy ingress semantics (networking.k8s.io/v1),
// for asking offline whether a connection would be admitted. It is a weaker fallback than running
// the policies on a real CNI (Cilium, as GKE Dataplane V2, or Calico): it knows what the API
// documents, not what a dataplane does with SNAT, host-network pods or the node's own traffic
// (always admitted, so never asked here). Egress is not evaluated: the platform never restricts it.
import type { PlannedResource } from "../../tools/offline/plan";
import type { K8sObject, RenderedPlan } from "./rendered";
import { podSpecOf } from "./rendered-checks";
import { matchesSelector, type LabelSelector, type Labels } from "./label-selector";

export type { Labels };

interface Peer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: readonly string[] };
}

interface PolicyPort {
    protocol?: string;
    port?: number | string;
    endPort?: number;
}

export interface NetworkPolicy {
    metadata: { name: string; namespace?: string };
    spec: {
        podSelector: LabelSelector;
        policyTypes?: readonly string[];
        ingress?: readonly { from?: readonly Peer[]; ports?: readonly PolicyPort[] }[];
        egress?: readonly unknown[];
    };
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol?: string;
}

export interface Pod {
    namespace: string;
    labels: Labels;
    /** The ports its containers declare: named policy ports resolve against these. */
    ports: readonly ContainerPort[];
    /** Its address, for ipBlock peers (pods of the cluster usually have none worth naming). */
    ip?: string;
}

/** Where a connection comes from: a pod of the cluster, or an address outside the pod network. */
export type Source = { pod: Omit<Pod, "ports"> } | { ip: string };

export interface Verdict {
    allowed: boolean;
    /** The policies that select the target for ingress (none: the pod is not isolated). */
    isolatedBy: string[];
    /** The policies with a rule that admits the connection. */
    admittedBy: string[];
}

/** A policy's podSelector: absent or empty selects every pod of its namespace. */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
    return selector === undefined || matchesSelector(selector, labels);
}

function ipv4(address: string): number {
    const parts = address.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
    return parts.reduce((n, p) => n * 256 + p, 0);
}

export function inCidr(address: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(address) / size) === Math.floor(ipv4(base) / size);
}

/** Whether one `from` peer matches the source, for a policy in `policyNamespace`. */
function peerMatches(peer: Peer, policyNamespace: string, source: Source, namespaceLabels: (ns: string) => Labels): boolean {
    if (peer.ipBlock) {
        const ip = "ip" in source ? source.ip : source.pod.ip;
        return !!ip && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(ip, e));
    }
    // Selectors only ever match pods of the cluster.
    if (!("pod" in source)) return false;
    const { pod } = source;
    // A podSelector alone means pods of the policy's own namespace.
    const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
    const podOk = peer.podSelector ? selects(peer.podSelector, pod.labels) : true;
    return namespaceOk && podOk;
}

function portMatches(p: PolicyPort, target: Pod, port: number, protocol: string): boolean {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
    // A named port is the container port of that name (and protocol) on the target pod.
    return target.ports.some((c) => c.name === p.port && c.containerPort === port && (c.protocol ?? "TCP") === protocol);
}

/** policyTypes as the API server defaults them: Ingress always, Egress when egress rules exist. */
function policyTypes(p: NetworkPolicy): readonly string[] {
    return p.spec.policyTypes ?? (p.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

/**
 * Whether `target` admits a connection from `source` on `port`: admitted when no policy of its
 * namespace selects it for ingress, else when some rule of one of those policies matches both the
 * source (any `from` peer; no `from` = any source) and the port (any `ports` entry; none = all).
 */
export function evaluateIngress(
    policies: readonly NetworkPolicy[],
    source: Source,
    target: Pod,
    port: number,
    protocol = "TCP",
    namespaceLabels: (ns: string) => Labels = (ns) => ({ "kubernetes.io/metadata.name": ns }),
): Verdict {
    const applying = policies.filter(
        (p) => (p.metadata.namespace ?? "default") === target.namespace && policyTypes(p).includes("Ingress") && selects(p.spec.podSelector, target.labels),
    );
    const admittedBy = applying
        .filter((p) =>
            (p.spec.ingress ?? []).some(
                (rule) =>
                    (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerMatches(peer, target.namespace, source, namespaceLabels))) &&
                    (!rule.ports || rule.ports.length === 0 || rule.ports.some((p2) => portMatches(p2, target, port, protocol))),
            ),
        )
        .map((p) => p.metadata.name);
    return { allowed: applying.length === 0 || admittedBy.length > 0, isolatedBy: applying.map((p) => p.metadata.name), admittedBy };
}

// ---- The pods and in-cluster flows a rendered plan implies ----------------------------------

export interface PlanPod extends Pod {
    /** "<release resource or Pulumi>: <kind>/<name>" of the workload that runs it. */
    owner: string;
    cluster: string;
    spec?: Record<string, any>;
}

/**
 * The pods prometheus-operator creates for its custom resources: the labels it sets (its own
 * governing Services and the chart's select on them) and the ports of its containers.
 */
function operatorPods(o: K8sObject, namespace: string): Omit<PlanPod, "owner" | "cluster"> | undefined {
    const reloader = { name: "reloader-web", containerPort: 8080 };
    const name = o.metadata.name;
    if (o.kind === "Prometheus") {
        const sidecar = o.spec?.thanos ? [{ name: "grpc", containerPort: 10901 }, { name: "http", containerPort: 10902 }] : [];
        return {
            namespace,
            labels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": name, prometheus: name, ...(o.spec?.podMetadata?.labels ?? {}) },
            ports: [{ name: "web", containerPort: 9090 }, reloader, ...sidecar],
        };
    }
    if (o.kind === "Alertmanager") {
        return { namespace, labels: { "app.kubernetes.io/name": "alertmanager", alertmanager: name }, ports: [{ name: "web", containerPort: 9093 }, { name: "mesh-tcp", containerPort: 9094 }, reloader] };
    }
    if (o.kind === "ThanosRuler") {
        return { namespace, labels: { "app.kubernetes.io/name": "thanos-ruler", "thanos-ruler": name }, ports: [{ name: "grpc", containerPort: 10901 }, { name: "web", containerPort: 10902 }, reloader] };
    }
    return undefined;
}

const containerPorts = (pod: Record<string, any>): ContainerPort[] =>
    [...(pod.initContainers ?? []), ...(pod.containers ?? [])].flatMap((c: any) => (c.ports ?? []) as ContainerPort[]);

const k8sResources = (rp: RenderedPlan, cluster: string, type: string): PlannedResource[] =>
    rp.plan.resources.filter((r) => r.type === type && r.provider === `${cluster}-k8s`);

/** Every pod a cluster runs from the plan: rendered workloads, the operator's pods, Pulumi's Deployments. */
export function podsOf(rp: RenderedPlan, cluster: string): PlanPod[] {
    const out: PlanPod[] = [];
    for (const r of rp.releases.filter((x) => x.cluster === cluster)) {
        for (const o of r.objects) {
            const namespace = o.metadata.namespace ?? r.release.namespace;
            const owner = `${r.release.resource}: ${o.kind}/${o.metadata.name}`;
            const spec = podSpecOf(o);
            if (spec) {
                // Host-network pods are outside NetworkPolicy, as targets and as sources alike.
                if (spec.hostNetwork) continue;
                const labels = o.spec?.template?.metadata?.labels ?? o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
                out.push({ namespace, labels, ports: containerPorts(spec), owner, cluster, spec });
            }
            const managed = operatorPods(o, namespace);
            if (managed) out.push({ ...managed, owner, cluster, spec: o.spec });
        }
    }
    for (const d of k8sResources(rp, cluster, "kubernetes:apps/v1:Deployment")) {
        const o = d.inputs as K8sObject;
        out.push({ namespace: o.metadata.namespace ?? "default", labels: o.spec.template.metadata.labels, ports: containerPorts(o.spec.template.spec), owner: `Pulumi: Deployment/${o.metadata.name}`, cluster, spec: o.spec.template.spec });
    }
    return out;
}

interface ServiceDef {
    name: string;
    namespace: string;
    selector: Labels;
    ports: { port: number; targetPort?: number | string }[];
}

/** Services with their selectors: rendered, Pulumi's, and the operator's governing Services. */
function servicesOf(rp: RenderedPlan, cluster: string): ServiceDef[] {
    const out: ServiceDef[] = [];
    const fromObject = (o: K8sObject, namespace: string) =>
        out.push({ name: o.metadata.name, namespace, selector: o.spec?.selector ?? {}, ports: o.spec?.ports ?? [] });
    for (const r of rp.releases.filter((x) => x.cluster === cluster)) {
        for (const o of r.objects) {
            const namespace = o.metadata.namespace ?? r.release.namespace;
            if (o.kind === "Service") fromObject(o, namespace);
            if (o.kind === "Prometheus") out.push({ name: "prometheus-operated", namespace, selector: { "app.kubernetes.io/name": "prometheus" }, ports: [{ port: 9090, targetPort: "web" }, ...(o.spec?.thanos ? [{ port: 10901, targetPort: "grpc" }] : [])] });
            if (o.kind === "Alertmanager") out.push({ name: "alertmanager-operated", namespace, selector: { "app.kubernetes.io/name": "alertmanager" }, ports: [{ port: 9093, targetPort: "web" }, { port: 9094, targetPort: "mesh-tcp" }] });
            if (o.kind === "ThanosRuler") out.push({ name: "thanos-ruler-operated", namespace, selector: { "app.kubernetes.io/name": "thanos-ruler" }, ports: [{ port: 10901, targetPort: "grpc" }, { port: 10902, targetPort: "web" }] });
        }
    }
    for (const s of k8sResources(rp, cluster, "kubernetes:core/v1:Service")) fromObject(s.inputs as K8sObject, (s.inputs as K8sObject).metadata.namespace ?? "default");
    return out;
}

export interface Flow {
    cluster: string;
    /** The object that names the address, and the address. */
    where: string;
    address: string;
    client: PlanPod;
    target: PlanPod;
    port: number;
}

export interface FlowReport {
    flows: Flow[];
    /** Addresses whose client or target could not be told, with why. */
    unresolved: string[];
}

const ADDRESS = /(?:(https?|grpc):\/\/)?((?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?(?::(\d+))?/g;
const GRAFANA_SIDECAR_LABELS = ["grafana_datasource", "grafana_dashboard"];

/** Pods that read a ConfigMap or Secret: by volume, projection, envFrom or env reference; Grafana's sidecar by label; the operator's CRs by name. */
function readersOf(o: K8sObject, namespace: string, pods: PlanPod[]): PlanPod[] {
    const name = o.metadata.name;
    if (GRAFANA_SIDECAR_LABELS.some((l) => o.metadata.labels?.[l] !== undefined)) {
        return pods.filter((p) => p.namespace === namespace && p.labels["app.kubernetes.io/name"] === "grafana");
    }
    const refs = (spec: Record<string, any>): string[] => {
        const out: string[] = [];
        const walk = (n: unknown) => {
            if (Array.isArray(n)) n.forEach(walk);
            else if (typeof n === "object" && n !== null) {
                for (const [k, v] of Object.entries(n)) {
                    if ((k === "name" || k === "secretName") && typeof v === "string") out.push(v);
                    else walk(v);
                }
            }
        };
        walk(spec);
        return out;
    };
    return pods.filter((p) => p.namespace === namespace && p.spec && refs(p.spec).includes(name));
}

/**
 * Every in-cluster flow the plan's configuration implies: for each address (as addressProblems
 * finds them) in a workload, a custom resource the operator turns into pods, or a ConfigMap or
 * Secret some pod reads, the client pods, the pods the named Service selects and the port on them
 * (a Service port's targetPort, by name on the target). An address without a port stands for each
 * of the Service's ports. Addresses in kube-system (GKE's DNS) are not the platform's to police.
 */
export function planFlows(rp: RenderedPlan, cluster: string, unrenderedServicePrefixes: readonly string[] = []): FlowReport {
    const pods = podsOf(rp, cluster);
    const services = servicesOf(rp, cluster);
    const flows: Flow[] = [];
    const unresolved = new Set<string>();
    const sources: { where: string; namespace: string; text: string; clients: PlanPod[] }[] = [];
    for (const r of rp.releases.filter((x) => x.cluster === cluster)) {
        for (const o of r.objects) {
            if (o.kind === "CustomResourceDefinition") continue;
            const namespace = o.metadata.namespace ?? r.release.namespace;
            const where = `${r.release.resource}: ${o.kind}/${o.metadata.name}`;
            let text = JSON.stringify(o);
            if (o.kind === "Secret" && o.data) text = Object.values(o.data as Record<string, string>).map((v) => Buffer.from(v, "base64").toString("utf8")).join("\n");
            const clients = podSpecOf(o) || operatorPods(o, namespace) ? pods.filter((p) => p.owner === where) : readersOf(o, namespace, pods);
            sources.push({ where, namespace, text, clients });
        }
    }
    for (const c of k8sResources(rp, cluster, "kubernetes:core/v1:ConfigMap")) {
        const o = c.inputs as K8sObject;
        const namespace = o.metadata.namespace ?? "default";
        sources.push({ where: `Pulumi ${c.name}`, namespace, text: JSON.stringify(o.data ?? {}), clients: readersOf(o, namespace, pods) });
    }
    for (const s of sources) {
        for (const m of s.text.matchAll(ADDRESS)) {
            const [address, scheme, host, , , namespace, , port] = m;
            if (namespace === "kube-system") continue;
            const labels = host.split(".");
            const service = services.find((x) => x.namespace === namespace && (x.name === labels.join(".") || x.name === labels[labels.length - 1]));
            if (!service) {
                if (!unrenderedServicePrefixes.some((p) => labels[labels.length - 1].startsWith(p))) unresolved.add(`${s.where}: ${address} names no Service`);
                continue;
            }
            if (s.clients.length === 0) {
                unresolved.add(`${s.where}: ${address}: no pod reads ${s.where}`);
                continue;
            }
            const wanted = port ? Number(port) : scheme === "https" ? 443 : scheme === "http" ? 80 : undefined;
            const servicePorts = service.ports.filter((p) => wanted === undefined || p.port === wanted);
            const targets = pods.filter((p) => p.namespace === namespace && Object.keys(service.selector).length > 0 && selects({ matchLabels: service.selector }, p.labels));
            if (targets.length === 0) unresolved.add(`${s.where}: ${address}: Service ${service.name} selects no pod`);
            for (const target of targets) {
                for (const sp of servicePorts) {
                    const tp = sp.targetPort ?? sp.port;
                    const number = typeof tp === "number" ? tp : target.ports.find((c) => c.name === tp)?.containerPort;
                    if (number === undefined) {
                        unresolved.add(`${s.where}: ${address}: ${target.owner} has no port named ${tp}`);
                        continue;
                    }
                    for (const client of s.clients) flows.push({ cluster, where: s.where, address, client, target, port: number });
                }
            }
        }
    }
    return { flows, unresolved: [...unresolved] };
}
