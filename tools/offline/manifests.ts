// The plan's rendered manifests: manifests/<cluster>-<release>.yaml, Helm's output for each release.
import * as fs from "node:fs";
import * as path from "node:path";
import { maskGenerated, renderReleases, type RenderedRelease } from "../charts/render";
import { releasesOf, type PlannedResource } from "./plan";

export const MANIFESTS_DIR = "manifests";

/** Renders the releases of the plan written in `planDir` and writes their manifests beside it. */
export async function renderPlanDir(planDir: string, options: { pull?: boolean } = {}): Promise<RenderedRelease[]> {
    const resources = JSON.parse(fs.readFileSync(path.join(planDir, "resources.json"), "utf8")) as PlannedResource[];
    const rendered = await renderReleases(releasesOf(resources), options);
    const dir = path.join(planDir, MANIFESTS_DIR);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const r of rendered) {
        if (r.manifest !== undefined) fs.writeFileSync(path.join(dir, `${r.resource}.yaml`), maskGenerated(r.manifest));
    }
    return rendered;
}

/** One line per release that was not rendered, and the count of those that were. */
export function describeRendered(rendered: readonly RenderedRelease[]): string {
    const done = rendered.filter((r) => r.manifest !== undefined);
    const objects = done.reduce((n, r) => n + (r.manifest!.match(/^kind: /gm)?.length ?? 0), 0);
    const lines = [`Rendered ${done.length} of ${rendered.length} releases with Helm 3 (${objects} objects) into ${MANIFESTS_DIR}/`];
    for (const r of rendered.filter((x) => x.skipped)) lines.push(`  not rendered: ${r.resource} (${r.chart} ${r.version}): ${r.skipped}`);
    return lines.join("\n");
}
