// Renders Helm releases with Helm 3 and the pinned chart packages, as helm.v3.Release would install
// them: the release's name, namespace and values, the target Kubernetes version, and the API versions
// of the CRDs installed before it (its own and those of the releases it depends on).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { TARGET_KUBERNETES_VERSION } from "../../components/kubernetes/target";
import type { PlannedRelease } from "../offline/plan";
import { ensureChart, mayBeMissing, packagePath, pinFor, ChartNotFoundError, UNRENDERED_CHARTS } from "./cache";
import { helmBinary } from "./helm";
import { pooled } from "../pool";
import { runCached } from "../run-cache";

const run = promisify(execFile);

/** A release as the offline plan records it: name, namespace, chart, values, what it waits for. */
export type ReleaseToRender = Pick<PlannedRelease, "resource" | "releaseName" | "namespace" | "chart" | "version" | "repo" | "values" | "dependsOn">;

export interface RenderedRelease {
    resource: string;
    chart: string;
    version: string;
    /** Helm's output; absent when the chart is one known to be unavailable (then `skipped` says why). */
    manifest?: string;
    skipped?: string;
}

export class RenderError extends Error {
    override name = "RenderError";
}

/** API versions of CRDs a chart installs, from its pin (tests hold the pins to the charts' CRDs). */
const crdApiVersionsOf = (chart: string): readonly string[] => pinFor(chart)?.crdApiVersions ?? [];

/** The CRD API versions present when `release` installs: its own and its (transitive) dependencies'. */
export function apiVersionsFor(release: ReleaseToRender, all: readonly ReleaseToRender[]): string[] {
    const byResource = new Map(all.map((r) => [r.resource, r]));
    const seen = new Set<string>();
    const versions = new Set<string>();
    const visit = (r: ReleaseToRender) => {
        if (seen.has(r.resource)) return;
        seen.add(r.resource);
        for (const v of crdApiVersionsOf(r.chart)) versions.add(v);
        for (const d of r.dependsOn) {
            const dep = byResource.get(d);
            if (dep) visit(dep);
        }
    };
    visit(release);
    return [...versions].sort();
}

export function helmTemplateArgs(release: ReleaseToRender, chartFile: string, valuesFile: string, apiVersions: readonly string[]): string[] {
    return [
        "template",
        release.releaseName,
        chartFile,
        "--namespace",
        release.namespace,
        "--values",
        valuesFile,
        "--kube-version",
        TARGET_KUBERNETES_VERSION,
        ...apiVersions.flatMap((v) => ["--api-versions", v]),
        // What `helm install` creates: CRDs from crds/ and hooks, but no test pods.
        "--include-crds",
        "--skip-tests",
    ];
}

async function renderOne(release: ReleaseToRender, all: readonly ReleaseToRender[], pull: boolean): Promise<RenderedRelease> {
    const base = { resource: release.resource, chart: release.chart, version: release.version };
    const pin = { chart: release.chart, version: release.version, repo: release.repo, crdApiVersions: [] };
    try {
        await ensureChart(pin, { pull });
    } catch (err) {
        if (err instanceof ChartNotFoundError && mayBeMissing(release.chart, release.version)) {
            return { ...base, skipped: UNRENDERED_CHARTS[release.chart].why };
        }
        throw err;
    }
    const values = JSON.stringify(release.values);
    const apiVersions = apiVersionsFor(release, all);
    // Everything helm template reads: the same inputs render the same manifest.
    const key = JSON.stringify([release.releaseName, release.namespace, release.chart, release.version, apiVersions, values]);
    return { ...base, manifest: await runCached("helm-template", key, () => helmTemplate(release, values, apiVersions)) };
}

async function helmTemplate(release: ReleaseToRender, values: string, apiVersions: readonly string[]): Promise<string> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    try {
        const valuesFile = path.join(tmp, "values.json");
        fs.writeFileSync(valuesFile, values);
        const args = helmTemplateArgs(release, packagePath(release.chart, release.version), valuesFile, apiVersions);
        const { stdout } = await run(helmBinary(), args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        return stdout;
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new RenderError(`${release.resource} (${release.chart} ${release.version}) does not render: ${(e.stderr || e.message).trim()}`);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** Renders every release, a few at a time; one RenderError lists every release that failed. */
export async function renderReleases(
    releases: readonly ReleaseToRender[],
    options: { pull?: boolean; concurrency?: number } = {},
): Promise<RenderedRelease[]> {
    const results: PromiseSettledResult<RenderedRelease>[] = await pooled(
        releases.map((release) => () =>
            renderOne(release, releases, options.pull ?? true).then(
                (value) => ({ status: "fulfilled", value }) as const,
                (reason: unknown) => ({ status: "rejected", reason }) as const,
            ),
        ),
        options.concurrency,
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length > 0) {
        throw new RenderError(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("\n"));
    }
    return results.map((r) => (r as PromiseFulfilledResult<RenderedRelease>).value);
}

/**
 * Helm generates some values anew at every render (the operator's self-signed webhook certificate):
 * masked in written manifests, so plan diffs show only real changes.
 */
export function maskGenerated(manifest: string): string {
    return manifest.replace(/^(\s*caBundle:\s*)\S+$/gm, "$1(generated by Helm at each render)")
        .replace(/^(\s*(?:tls\.crt|tls\.key|ca\.crt):\s*)[A-Za-z0-9+/=]{200,}$/gm, "$1(generated by Helm at each render)");
}
