// The platform's policies, as plain policy objects so tests can run them on offline plans and on
// crafted resources without the Pulumi engine. index.ts packs them for `pulumi preview --policy-pack policy`.
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { valuesClaims } from "./volume-claims";

export const TYPES = {
    bucket: "gcp:storage/bucket:Bucket",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    bucketIamBinding: "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    bucketIamPolicy: "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
    bucketAcl: "gcp:storage/bucketAccessControl:BucketAccessControl",
    bucketLegacyAcl: "gcp:storage/bucketACL:BucketACL",
    objectAcl: "gcp:storage/objectAccessControl:ObjectAccessControl",
    defaultObjectAcl: "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    projectIamMember: "gcp:projects/iAMMember:IAMMember",
    projectIamBinding: "gcp:projects/iAMBinding:IAMBinding",
    projectIamPolicy: "gcp:projects/iAMPolicy:IAMPolicy",
    folderIamMember: "gcp:folder/iAMMember:IAMMember",
    folderIamBinding: "gcp:folder/iAMBinding:IAMBinding",
    folderIamPolicy: "gcp:folder/iAMPolicy:IAMPolicy",
    orgIamMember: "gcp:organizations/iAMMember:IAMMember",
    orgIamBinding: "gcp:organizations/iAMBinding:IAMBinding",
    orgIamPolicy: "gcp:organizations/iAMPolicy:IAMPolicy",
    serviceAccountKey: "gcp:serviceaccount/key:Key",
    hmacKey: "gcp:storage/hmacKey:HmacKey",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChartV3: "kubernetes:helm.sh/v3:Chart",
    helmChartV4: "kubernetes:helm.sh/v4:Chart",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    pod: "kubernetes:core/v1:Pod",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
} as const;

/** How offline plans show a secret; the engine hands policies the unwrapped value instead. */
const SECRET_MASK = "[secret]";
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Calls `visit` for every key/value pair in a tree of plain data, with its dotted path. */
function walk(value: unknown, visit: (key: string, value: unknown, path: string) => void, at = ""): void {
    if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, visit, `${at}[${i}]`));
        return;
    }
    if (!isObj(value)) return;
    for (const [k, v] of Object.entries(value)) {
        const p = at ? `${at}.${k}` : k;
        visit(k, v, p);
        walk(v, visit, p);
    }
}

/**
 * Calls `visit` for every string in a tree of plain data with the key that holds it; array items are
 * visited too, without a key (a list under `secrets` names Secrets, it does not hold them).
 */
function eachString(value: unknown, visit: (key: string, value: string, path: string) => void, at = "", key = ""): void {
    if (typeof value === "string") visit(key, value, at);
    else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, visit, `${at}[${i}]`, ""));
    else if (isObj(value)) for (const [k, v] of Object.entries(value)) eachString(v, visit, at ? `${at}.${k}` : k, k);
}

const resourcePolicy = (
    p: Omit<ResourceValidationPolicy, "validateResource"> & { validate: (args: ResourceValidationArgs, report: ReportViolation) => void },
): ResourceValidationPolicy => ({
    name: p.name,
    description: p.description,
    enforcementLevel: p.enforcementLevel,
    validateResource: (args, report) => p.validate(args, report),
});

// --- Mandatory -------------------------------------------------------------------------------------

export const bucketsArePrivate = resourcePolicy({
    name: "buckets-are-private",
    description:
        "Buckets use uniform bucket-level access with public access prevention enforced, and no IAM binding or ACL grants allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    validate: ({ type, props }, report) => {
        if (type === TYPES.bucket) {
            if (props.uniformBucketLevelAccess !== true) report("uniformBucketLevelAccess must be true (no per-object ACLs).");
            if (props.publicAccessPrevention !== "enforced") {
                report(`publicAccessPrevention must be "enforced", got ${JSON.stringify(props.publicAccessPrevention)}.`);
            }
            return;
        }
        const grantees: unknown[] = [];
        if ([TYPES.bucketIamMember].includes(type as never)) grantees.push(props.member);
        if ([TYPES.bucketIamBinding].includes(type as never)) grantees.push(...((props.members as unknown[]) ?? []));
        if ([TYPES.bucketAcl, TYPES.objectAcl, TYPES.defaultObjectAcl].includes(type as never)) grantees.push(props.entity);
        if (type === TYPES.bucketLegacyAcl) {
            for (const entry of [...((props.roleEntities as string[]) ?? [])]) grantees.push(String(entry).split(":").slice(1).join(":"));
            if (typeof props.predefinedAcl === "string" && /public/i.test(props.predefinedAcl)) grantees.push(props.predefinedAcl);
        }
        if (type === TYPES.bucketIamPolicy) grantees.push(...policyMembers(props.policyData));
        for (const g of grantees) {
            if (typeof g === "string" && (PUBLIC_MEMBERS.includes(g) || /^public/i.test(g))) report(`${g} must not be granted access to a bucket.`);
        }
    },
});

function policyBindings(policyData: unknown): { role?: string; members?: string[] }[] {
    if (typeof policyData !== "string") return [];
    try {
        const parsed = JSON.parse(policyData) as { bindings?: { role?: string; members?: string[] }[] };
        return parsed.bindings ?? [];
    } catch {
        return [];
    }
}
const policyMembers = (policyData: unknown) => policyBindings(policyData).flatMap((b) => b.members ?? []);

/**
 * Roles that reach every bucket or let a member act as, or grant, any identity when held above a single
 * resource: basic roles, every Cloud Storage role, every IAM role, and IAM administration.
 */
export const BROAD_ROLE = /^roles\/(owner|editor|storage\.[A-Za-z.]+|iam\.[A-Za-z.]+|resourcemanager\.(projectIamAdmin|folderIamAdmin|folderAdmin|organizationAdmin))$/;
/** Custom roles: their permissions are not visible to the policy. */
const CUSTOM_ROLE = /^(projects|organizations)\/[^/]+\/roles\//;

const HIERARCHY_GRANTS: Record<string, string> = {
    [TYPES.projectIamMember]: "project",
    [TYPES.projectIamBinding]: "project",
    [TYPES.projectIamPolicy]: "project",
    [TYPES.folderIamMember]: "folder",
    [TYPES.folderIamBinding]: "folder",
    [TYPES.folderIamPolicy]: "folder",
    [TYPES.orgIamMember]: "organization",
    [TYPES.orgIamBinding]: "organization",
    [TYPES.orgIamPolicy]: "organization",
};

export const noHierarchyStorageOrIamGrants = resourcePolicy({
    name: "no-project-folder-or-organization-storage-or-iam-grants",
    description:
        "No Cloud Storage, IAM or basic role granted on a project, folder or organization: identities get object roles on their own buckets and Workload Identity on their own service account only.",
    enforcementLevel: "mandatory",
    validate: ({ type, props }, report) => {
        const level = HIERARCHY_GRANTS[type];
        if (!level) return;
        const roles = type.endsWith(":IAMPolicy") ? policyBindings(props.policyData).map((b) => b.role) : [props.role];
        for (const role of roles) {
            if (typeof role !== "string") continue;
            if (BROAD_ROLE.test(role)) {
                report(`${role} at ${level} level reaches every bucket or identity below it; grant an object role on the bucket (or on the service account) instead.`);
            } else if (CUSTOM_ROLE.test(role)) {
                report(`custom role ${role} at ${level} level: its permissions cannot be checked here; grant a predefined role on the bucket instead.`);
            }
        }
    },
});

export const noServiceAccountKeys = resourcePolicy({
    name: "no-service-account-keys",
    description: "No service-account or HMAC keys: workloads authenticate through Workload Identity.",
    enforcementLevel: "mandatory",
    validate: ({ type }, report) => {
        if (type === TYPES.serviceAccountKey || type === TYPES.hmacKey) {
            report(`${type} creates a long-lived credential; use Workload Identity instead.`);
        }
    },
});

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const helmReleasesPinVersion = resourcePolicy({
    name: "helm-releases-pin-version",
    description: "Every Helm release and chart pins an exact chart version, so a preview shows what an update installs.",
    enforcementLevel: "mandatory",
    validate: ({ type, props }, report) => {
        if (type !== TYPES.helmRelease && type !== TYPES.helmChartV3 && type !== TYPES.helmChartV4) return;
        const version = props.version;
        if (typeof version !== "string" || !EXACT_VERSION.test(version)) {
            report(`chart ${JSON.stringify(props.chart)} must pin an exact version such as "1.2.3", got ${JSON.stringify(version)}.`);
        }
    },
});

export const storageClassesRetainVolumes = resourcePolicy({
    name: "storage-classes-retain-volumes",
    description: "Every StorageClass the platform declares reclaims with Retain: deleting a claim never deletes its disk.",
    enforcementLevel: "mandatory",
    validate: ({ type, props }, report) => {
        if (type === TYPES.storageClass && props.reclaimPolicy !== "Retain") {
            report(`reclaimPolicy must be "Retain", got ${JSON.stringify(props.reclaimPolicy ?? "Delete (the default)")}.`);
        }
    },
});

/** Every persistent volume claim of the stack (release values and PVC resources) by its storage class. */
function claimsOf(resources: readonly PolicyResource[]): { where: string; storageClassName?: string }[] {
    const claims: { where: string; storageClassName?: string }[] = [];
    for (const r of resources) {
        if (r.type === TYPES.helmRelease) {
            for (const c of valuesClaims(r.props.values ?? {})) claims.push({ where: `${r.name} ${c.path}`, storageClassName: c.storageClassName });
        } else if (r.type === TYPES.pvc) {
            const spec = isObj(r.props.spec) ? r.props.spec : {};
            claims.push({ where: r.name, storageClassName: typeof spec.storageClassName === "string" ? spec.storageClassName : undefined });
        }
    }
    return claims;
}

export const claimsUseRetainingClass: StackValidationPolicy = {
    name: "volume-claims-use-a-retaining-storage-class",
    description: "Every PersistentVolumeClaim names a StorageClass of the stack that reclaims with Retain (the cluster default deletes).",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }: StackValidationArgs, report: ReportViolation) => {
        const classes = new Map<string, unknown>();
        for (const r of resources.filter((x) => x.type === TYPES.storageClass)) {
            const name = isObj(r.props.metadata) ? r.props.metadata.name : undefined;
            if (typeof name === "string") classes.set(name, r.props.reclaimPolicy);
        }
        for (const claim of claimsOf(resources)) {
            if (!claim.storageClassName) {
                report(`${claim.where}: names no StorageClass, so it gets the cluster default, which deletes its disk with the claim.`);
            } else if (!classes.has(claim.storageClassName)) {
                report(`${claim.where}: StorageClass ${claim.storageClassName} is not declared by this stack (its reclaim policy is unknown).`);
            } else if (classes.get(claim.storageClassName) !== "Retain") {
                report(`${claim.where}: StorageClass ${claim.storageClassName} does not reclaim with Retain.`);
            }
        }
    },
};

const EXPOSED = ["NodePort", "LoadBalancer"];

export const grafanaNotExposed = resourcePolicy({
    name: "grafana-not-exposed",
    description: "Grafana is reachable inside the cluster or through a TLS ingress only, never through a NodePort or LoadBalancer service.",
    enforcementLevel: "mandatory",
    validate: ({ type, name, props }, report) => {
        if (type === TYPES.helmRelease) {
            const values = props.values ?? {};
            const grafanaChart = props.chart === "grafana";
            walk(values, (key, value, path) => {
                if (key !== "type" || typeof value !== "string" || !EXPOSED.includes(value)) return;
                // grafana.service.type in umbrella charts; service.type at the root of the grafana chart.
                if (/(^|\.)grafana\.service\.type$/.test(path) || (grafanaChart && path === "service.type")) {
                    report(`${path} is ${value}: Grafana must not be exposed outside the cluster without TLS.`);
                }
            });
            return;
        }
        if (type === TYPES.service) {
            const metadata = isObj(props.metadata) ? props.metadata : {};
            const labels = isObj(metadata.labels) ? metadata.labels : {};
            const spec = isObj(props.spec) ? props.spec : {};
            const isGrafana = /grafana/.test(String(metadata.name ?? name)) || labels["app.kubernetes.io/name"] === "grafana";
            if (isGrafana && typeof spec.type === "string" && EXPOSED.includes(spec.type)) {
                report(`Service ${String(metadata.name ?? name)} exposes Grafana as ${spec.type}.`);
            }
        }
    },
});

const INTERNAL_LB_ANNOTATION = "networking.gke.io/load-balancer-type";
const isInternal = (annotations: unknown) => isObj(annotations) && annotations[INTERNAL_LB_ANNOTATION] === "Internal";

export const loadBalancersAreInternal = resourcePolicy({
    name: "load-balancers-are-internal",
    description: `Every Service of type LoadBalancer, declared or set in Helm values, is a GKE internal load balancer (${INTERNAL_LB_ANNOTATION}: "Internal"): nothing faces the internet.`,
    enforcementLevel: "mandatory",
    validate: ({ type, name, props }, report) => {
        if (type === TYPES.service) {
            const metadata = isObj(props.metadata) ? props.metadata : {};
            const spec = isObj(props.spec) ? props.spec : {};
            if (spec.type === "LoadBalancer" && !isInternal(metadata.annotations)) {
                report(`Service ${String(metadata.name ?? name)} is an external LoadBalancer; annotate it ${INTERNAL_LB_ANNOTATION}: "Internal".`);
            }
            return;
        }
        if (type !== TYPES.helmRelease && type !== TYPES.helmChartV3 && type !== TYPES.helmChartV4) return;
        // A chart's service block carries its type and the annotations the chart puts on the Service.
        const visit = (value: unknown, at: string): void => {
            if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${at}[${i}]`));
            if (!isObj(value)) return;
            if (value.type === "LoadBalancer" && !isInternal(value.annotations)) {
                report(`values.${at ? `${at}.` : ""}type is LoadBalancer without ${at ? `${at}.` : ""}annotations."${INTERNAL_LB_ANNOTATION}": "Internal": the chart would expose it to the internet.`);
            }
            for (const [k, v] of Object.entries(value)) visit(v, at ? `${at}.${k}` : k);
        };
        visit(props.values ?? {}, "");
    },
});

/** Keys that hold a credential when their value is a literal. */
const CREDENTIAL_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|webhook[_-]?url|slack_api_url|credentials)/i;
/** Keys that name or point to a credential rather than hold it. */
const REFERENCE_KEY = /(existingSecret|SecretName$|secretName$|Secret$|Ref$|Refs$|Key$|Keys$|Name$|File$|_file$|Path$|_path$|Enabled$|enabled$|Mode$|Type$|Annotation$)/;
const isReferenceValue = (v: string) => v === "" || v === SECRET_MASK || v.startsWith("$__file{") || v.startsWith("$__env{") || v.startsWith("/") || /^\$\{(env:)?[A-Za-z0-9_]+\}$/.test(v);

/** Credential-named keys whose 32-hex value is an integration key (PagerDuty and the like), not a reference. */
const INTEGRATION_KEY = /(routing|integration|service|api)[_-]?key$/i;

/** What kind of credential a string visibly contains, whatever key holds it. */
export function secretShape(value: string, key = ""): string | undefined {
    // A password in a URL's userinfo, unless it is a variable the workload expands.
    const userinfo = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:([^\s/@]+)@/i.exec(value);
    if (userinfo && !/^(\$\{[^}]+\}|\$\([^)]+\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]+\}\})$/.test(userinfo[1])) return "a URL with a password in it";
    if (/hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/.test(value)) return "a Slack webhook URL";
    if (/\bxox[abposr]-[A-Za-z0-9-]{10,}/.test(value)) return "a Slack token";
    if (/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/.test(value)) return "a private key";
    if (/"private_key"\s*:\s*"/.test(value)) return "a service-account key file";
    if (INTEGRATION_KEY.test(key) && /^[0-9a-f]{32}$/i.test(value.trim())) return "an integration key";
    return undefined;
}

/** The env entries of every container of a Pulumi-declared workload, with their paths. */
function containerEnv(type: string, props: Obj): { path: string; name: string; value: unknown }[] {
    const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);
    const pod = type === TYPES.pod ? props.spec : type === TYPES.cronJob ? at(props, "spec", "jobTemplate", "spec", "template", "spec") : at(props, "spec", "template", "spec");
    const out: { path: string; name: string; value: unknown }[] = [];
    for (const group of ["initContainers", "containers"]) {
        const containers = at(pod, group);
        if (!Array.isArray(containers)) continue;
        containers.forEach((c, i) => {
            const env = at(c, "env");
            if (!Array.isArray(env)) return;
            env.forEach((e, j) => {
                if (isObj(e)) out.push({ path: `${group}[${i}].env[${j}] (${String(e.name)})`, name: String(e.name ?? ""), value: e.value });
            });
        });
    }
    return out;
}
const WORKLOADS: readonly string[] = [TYPES.pod, TYPES.deployment, TYPES.statefulSet, TYPES.daemonSet, TYPES.job, TYPES.cronJob];

export const secretInputsAreSecrets = resourcePolicy({
    name: "secret-inputs-are-secrets",
    description:
        "Credentials reach workloads through Kubernetes Secrets (existingSecret, *_file options): no password, token, key or webhook URL as a literal in Helm values, ConfigMaps or container env, under a credential's name or shaped like one anywhere.",
    enforcementLevel: "mandatory",
    validate: ({ type, props }, report) => {
        const shaped = (path: string, key: string, value: unknown) => {
            const shape = typeof value === "string" ? secretShape(value, key) : undefined;
            if (shape) report(`${path} holds ${shape}; put it in a Kubernetes Secret and reference it instead.`);
            return shape !== undefined;
        };
        const scan = (root: unknown, where: string) =>
            eachString(root, (key, value, path) => {
                if (shaped(`${where}${path}`, key, value)) return;
                if (!CREDENTIAL_KEY.test(key) || REFERENCE_KEY.test(key) || isReferenceValue(value)) return;
                report(`${where}${path} holds a literal credential; put it in a Kubernetes Secret and reference it instead.`);
            });
        if (type === TYPES.helmRelease || type === TYPES.helmChartV3 || type === TYPES.helmChartV4) scan(props.values ?? {}, "values.");
        if (type === TYPES.configMap) scan(props.data ?? {}, "data.");
        for (const e of WORKLOADS.includes(type) ? containerEnv(type, props) : []) {
            if (shaped(e.path, e.name, e.value) || typeof e.value !== "string" || !CREDENTIAL_KEY.test(e.name) || isReferenceValue(e.value)) continue;
            report(`${e.path} holds a literal credential; take it from a Secret (valueFrom.secretKeyRef) instead.`);
        }
    },
});

// --- Advisory --------------------------------------------------------------------------------------

export const releasesSetRequests = resourcePolicy({
    name: "releases-set-resource-requests",
    description: "Every release's values set CPU and memory requests for its workloads, so the scheduler and the cost estimate see them.",
    enforcementLevel: "advisory",
    validate: ({ type, props }, report) => {
        if (type !== TYPES.helmRelease) return;
        let workloads = 0;
        walk(props.values ?? {}, (key, value, path) => {
            if (key !== "resources" || !isObj(value)) return;
            const requests = isObj(value.requests) ? value.requests : undefined;
            if (requests && "storage" in requests) return; // A volume claim's size, not a container.
            if (!("requests" in value) && !("limits" in value)) return;
            workloads++;
            if (!requests || requests.cpu === undefined || requests.memory === undefined) {
                report(`${path} sets no CPU and memory requests.`);
            }
        });
        if (workloads === 0) report(`release ${String(props.name)} sets no resource requests at all.`);
    },
});

/** The most days each tier keeps a signal, bucket lifecycle margin included. */
export const RETENTION_LIMIT_DAYS: Readonly<Record<string, Readonly<Record<"metrics" | "logs" | "traces", number>>>> = {
    // Everything on disks: weeks, not months.
    minimal: { metrics: 35, logs: 35, traces: 14 },
    // 13 months of metrics and logs plus a month of margin; traces a month.
    "long-term": { metrics: 425, logs: 425, traces: 45 },
};

const DURATION = /^(\d+)(d|h|w|y)$/;
function durationDays(v: unknown): number | undefined {
    const m = typeof v === "string" ? DURATION.exec(v) : null;
    if (!m) return undefined;
    return Number(m[1]) * { d: 1, h: 1 / 24, w: 7, y: 365 }[m[2] as "d" | "h" | "w" | "y"];
}

export const retentionWithinTierLimits: StackValidationPolicy = {
    name: "retention-within-tier-limits",
    description: "Retentions (Prometheus, Loki, Tempo, bucket lifecycles) stay within the stack's tier limits.",
    enforcementLevel: "advisory",
    validateStack: ({ resources }, report) => {
        // Buckets carry their tier; a stack without buckets keeps everything on disks: the minimal tier.
        const buckets = resources.filter((r) => r.type === TYPES.bucket);
        const tiers = new Set(buckets.map((b) => (isObj(b.props.labels) ? b.props.labels.tier : undefined)).filter(Boolean));
        const tier = tiers.size === 1 ? String([...tiers][0]) : buckets.length === 0 ? "minimal" : undefined;
        const limits = tier ? RETENTION_LIMIT_DAYS[tier] : undefined;
        if (!limits) {
            report(`cannot tell the stack's tier from its buckets' labels (${[...tiers].join(", ") || "none"}).`);
            return;
        }
        const check = (where: string, signal: "metrics" | "logs" | "traces", days: number | undefined) => {
            if (days !== undefined && days > limits[signal]) {
                report(`${where}: ${signal} kept ${days} days, over the ${tier} tier's ${limits[signal]}.`);
            }
        };
        for (const r of resources) {
            if (r.type === TYPES.helmRelease) {
                walk(r.props.values ?? {}, (key, value, path) => {
                    if (key === "retention" && /prometheusSpec$/.test(path.slice(0, -".retention".length))) check(`${r.name} ${path}`, "metrics", durationDays(value));
                    if (key === "retention_period") check(`${r.name} ${path}`, "logs", durationDays(value));
                    // Tempo's chart takes it as tempo.retention (its compactor's block_retention).
                    if (key === "block_retention" || (r.props.chart === "tempo" && path === "tempo.retention")) check(`${r.name} ${path}`, "traces", durationDays(value));
                });
            }
            if (r.type === TYPES.bucket) {
                const signal = isObj(r.props.labels) ? r.props.labels.signal : undefined;
                if (signal !== "metrics" && signal !== "logs" && signal !== "traces") continue;
                for (const rule of (r.props.lifecycleRules as { action?: { type?: string }; condition?: { age?: number } }[]) ?? []) {
                    if (rule.action?.type === "Delete" && typeof rule.condition?.age === "number") check(`bucket ${r.name} lifecycle`, signal, rule.condition.age);
                }
            }
        }
    },
};

export const ALL_POLICIES = [
    bucketsArePrivate,
    noHierarchyStorageOrIamGrants,
    noServiceAccountKeys,
    helmReleasesPinVersion,
    storageClassesRetainVolumes,
    claimsUseRetainingClass,
    grafanaNotExposed,
    loadBalancersAreInternal,
    secretInputsAreSecrets,
    releasesSetRequests,
    retentionWithinTierLimits,
] as const;
