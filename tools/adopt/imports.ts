// What `pulumi import` needs to take over the releases and namespaces a stack adopts
// (clusters[].adopt, components/config/adoption.ts), read from the offline plan: the exact type, name,
// parent and provider the program declares, so that after the import `pulumi preview` finds the same
// resources and shows updates, not replacements. Pure: the CLI (tools/adopt.ts) writes and prints it.
import { adoptedReleases, existingNamespaces } from "../../components/config/adoption";
import { CHARTS } from "../../components/charts/pins";
import type { ClusterSettings } from "../../components/config/schema";
import { HELM_RELEASE_TYPE, type Plan, type PlannedResource } from "../offline/plan";

const STACK_TYPE = "pulumi:pulumi:Stack";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/** One entry of an import file (`pulumi import --file`), in the CLI's documented format. */
export interface ImportEntry {
    type: string;
    /** The Pulumi resource name, which is also how other entries refer to this one. */
    name: string;
    /** Absent for a component the import creates empty, as the parent of imported resources. */
    id?: string;
    parent?: string;
    provider?: string;
    component?: true;
}

export interface ImportFile {
    /** Names of resources already in the stack's state, by URN. */
    nameTable?: Record<string, string>;
    resources: ImportEntry[];
}

export interface AdoptionImports {
    /** The components above the clusters' providers, created empty (step 1). */
    parents: ImportFile;
    /** URNs of the clusters' Kubernetes providers, created alone with `pulumi up --target` (step 2). */
    providerUrns: string[];
    /** The namespaces and releases that already exist (step 3). */
    imports: ImportFile;
    /** Before the first `pulumi up`, per cluster: the CRDs Helm never upgrades for an adopted release. */
    crdUpgrades: { cluster: string; command: string }[];
}

function resourceNamed(plan: Plan, name: string, type?: string): PlannedResource {
    const found = plan.resources.filter((r) => r.name === name && (type === undefined || r.type === type));
    if (found.length !== 1) throw new Error(`the plan of stack ${plan.stack} has ${found.length} resources named ${name}${type ? ` of type ${type}` : ""}, not one`);
    return found[0];
}

const isAdopting = (c: ClusterSettings) => adoptedReleases(c).length > 0 || existingNamespaces(c).length > 0;

/** The imports of every cluster that adopts something; empty files when none does. */
export function adoptionImports(plan: Plan): AdoptionImports {
    const parents = new Map<string, ImportEntry>();
    const nameTable: Record<string, string> = {};
    const resources: ImportEntry[] = [];
    const providerUrns: string[] = [];
    const crdUpgrades: AdoptionImports["crdUpgrades"] = [];

    // Every ancestor below the stack, outermost first, as an empty component.
    const addParents = (resource: PlannedResource) => {
        const chain: PlannedResource[] = [];
        for (let p = resource.parent; p !== null; ) {
            const parent = resourceNamed(plan, p);
            if (parent.type === STACK_TYPE) break;
            chain.unshift(parent);
            p = parent.parent;
        }
        for (const c of chain) {
            const parentOfC = c.parent === null ? undefined : resourceNamed(plan, c.parent);
            parents.set(c.name, {
                type: c.type,
                name: c.name,
                ...(parentOfC && parentOfC.type !== STACK_TYPE ? { parent: parentOfC.name } : {}),
                component: true,
            });
        }
    };

    for (const cluster of plan.settings.clusters.filter(isAdopting)) {
        const targets: { resource: PlannedResource; id: string }[] = [];
        for (const ns of existingNamespaces(cluster)) {
            const r = resourceNamed(plan, `${cluster.name}-ns-${ns}`, NAMESPACE_TYPE);
            // A cluster-scoped object's import id is its name.
            targets.push({ resource: r, id: String((r.inputs.metadata as { name?: unknown } | undefined)?.name) });
        }
        for (const adopted of adoptedReleases(cluster)) {
            const r = resourceNamed(plan, `${cluster.name}-${adopted.release}`, HELM_RELEASE_TYPE);
            const i = r.inputs as { name?: unknown; namespace?: unknown };
            if (i.name !== adopted.releaseName || i.namespace !== adopted.namespace) {
                throw new Error(`${r.name} is declared as ${String(i.namespace)}/${String(i.name)}, not the adopted ${adopted.namespace}/${adopted.releaseName}`);
            }
            // helm.v3.Release's import id (pulumi-kubernetes' API docs): <namespace>/<release name>.
            targets.push({ resource: r, id: `${adopted.namespace}/${adopted.releaseName}` });
        }
        for (const { resource } of targets) {
            if (resource.parent === null || resource.provider === null) throw new Error(`${resource.name} has no parent or no explicit provider in the plan`);
            const parent = resourceNamed(plan, resource.parent);
            const provider = resourceNamed(plan, resource.provider);
            addParents(resource);
            addParents(provider);
            nameTable[parent.name] = parent.urn;
            nameTable[provider.name] = provider.urn;
            if (!providerUrns.includes(nameTable[provider.name])) providerUrns.push(nameTable[provider.name]);
        }
        resources.push(...targets.map(({ resource, id }) => ({ type: resource.type, name: resource.name, id, parent: resource.parent!, provider: resource.provider! })));

        // Helm installs a chart's crds/ folder on install only, never on upgrade: the adopted
        // kube-prometheus-stack keeps the CRDs of the version it was installed with until they are applied.
        if (adoptedReleases(cluster).some((r) => r.release === "kube-prometheus-stack")) {
            const { chart, repo, version } = CHARTS.kubePrometheusStack;
            crdUpgrades.push({
                cluster: cluster.name,
                command:
                    `helm show crds ${chart} --repo ${repo} --version ${version} | ` +
                    `kubectl --context gke_${cluster.project}_${cluster.location}_${cluster.name} apply --server-side --force-conflicts -f -`,
            });
        }
    }
    return {
        parents: { resources: [...parents.values()] },
        providerUrns,
        imports: { nameTable, resources },
        crdUpgrades,
    };
}

/** Shell quoting for the printed commands (URNs hold '$'). */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const IMPORT_FLAGS = "--protect=false --generate-code=false";

/** The single `pulumi import` command equivalent to each entry of the import file. */
export function singleImportCommands(file: ImportFile, stack: string): string[] {
    const table = file.nameTable ?? {};
    return file.resources.map(
        (r) =>
            `pulumi import --stack ${stack} ${q(r.type)} ${q(r.name)} ${q(r.id ?? "")}` +
            (r.parent ? ` --parent ${q(`${r.parent}=${table[r.parent]}`)}` : "") +
            (r.provider ? ` --provider ${q(`${r.provider}=${table[r.provider]}`)}` : "") +
            ` ${IMPORT_FLAGS}`,
    );
}

/** The steps, in order, as the CLI prints them; `files` are the paths the two import files were written to. */
export function adoptionSteps(a: AdoptionImports, stack: string, files: { parents: string; imports: string }): string {
    if (a.imports.resources.length === 0) {
        return `Stack ${stack} adopts nothing (no clusters[].adopt): pulumi up installs every release itself.`;
    }
    const lines = [
        `Stack ${stack}: ${a.imports.resources.length} resources to import. Run in this order (README, "Adopting a running cluster"):`,
        "",
        "# 1. The components the imported resources belong to, created empty (no cluster is touched):",
        `pulumi import --stack ${stack} --file ${files.parents} ${IMPORT_FLAGS}`,
        "",
        "# 2. Each cluster's Kubernetes provider, alone (it creates nothing in the cluster):",
        `pulumi up --stack ${stack} ${a.providerUrns.map((u) => `--target ${q(u)}`).join(" ")}`,
        "",
        "# 3. The namespaces and releases that already run:",
        `pulumi import --stack ${stack} --file ${files.imports} ${IMPORT_FLAGS}`,
        "#    or, one at a time:",
        ...singleImportCommands(a.imports, stack).map((c) => `#    ${c}`),
        "",
        ...(a.crdUpgrades.length > 0
            ? [
                  "# 4. The pinned kube-prometheus-stack's CRDs (Helm never upgrades them with the release):",
                  ...a.crdUpgrades.map((c) => c.command),
                  "",
              ]
            : []),
        `# ${a.crdUpgrades.length > 0 ? 5 : 4}. Check: updates only, no replacement (+-), no create of an imported name:`,
        `pulumi preview --stack ${stack} --diff`,
        "",
        `# ${a.crdUpgrades.length > 0 ? 6 : 5}. Then: pulumi up --stack ${stack} (the program's values replace the releases' own).`,
    ];
    return lines.join("\n");
}
