// Files the offline plan writes for the SRE layer, derived from the planned resources: each
// PrometheusRule's groups as a plain rules file promtool loads as it is, headed by comments saying
// who evaluates it, the retention behind that evaluator and the longest range each group reads,
// and the Alertmanager configuration rendered with placeholder secrets.
import type { Settings } from "../../components/config/schema";
import { ALERTMANAGER_CONFIG_SECRET, alertmanagerConfig, placeholderSecrets, type ReceiverSecrets } from "../../components/sre/alertmanager-config";
import { EVALUATION_ANNOTATION, EVALUATOR_LABEL, groupLookbackSeconds } from "../../components/sre/evaluation";
import { formatDuration } from "../../components/config/durations";
import { PROMETHEUS_RULE_TYPE, SECRET_KEYS_ANNOTATION, yamlText } from "../../components/sre/install";
import type { RuleGroup } from "../../components/sre/rules";
import { isSecretConfigKey } from "../../components/config/secrets";

interface ResourceLike {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface PlanFile {
    path: string;
    text: string;
}

const SECRET_TYPE = "kubernetes:core/v1:Secret";

/** The secret config keys an Alertmanager config Secret was rendered with (from its annotation). */
export function configuredSecretKeys(resources: readonly ResourceLike[]): string[] | undefined {
    const secret = resources.find((r) => r.type === SECRET_TYPE && (r.inputs as any).metadata?.name === ALERTMANAGER_CONFIG_SECRET);
    if (!secret) return undefined;
    const annotation: string = (secret.inputs as any).metadata?.annotations?.[SECRET_KEYS_ANNOTATION] ?? "";
    return annotation.split(",").filter(Boolean);
}

/** The comment lines heading a PrometheusRule's rules file (YAML comments: promtool ignores them). */
export function rulesFileHeader(resource: ResourceLike): string {
    const metadata = (resource.inputs as any).metadata ?? {};
    const groups: RuleGroup[] = (resource.inputs as any).spec?.groups ?? [];
    const evaluator: string = metadata.labels?.[EVALUATOR_LABEL] ?? "unlabelled";
    const lines = [
        `PrometheusRule ${metadata.namespace}/${metadata.name}, label ${EVALUATOR_LABEL}=${evaluator}.`,
        `Evaluated by ${metadata.annotations?.[EVALUATION_ANNOTATION] ?? "(not said)"}.`,
        "Longest range each group reads:",
        ...groups.map((g) => `  ${g.name}: ${formatDuration(groupLookbackSeconds(g))}`),
    ];
    return lines.map((l) => `# ${l}\n`).join("");
}

export function sreFiles(settings: Settings, resources: readonly ResourceLike[]): PlanFile[] {
    const files: PlanFile[] = resources
        .filter((r) => r.type === PROMETHEUS_RULE_TYPE)
        .map((r) => ({ path: `rules/${r.name}.yaml`, text: rulesFileHeader(r) + yamlText({ groups: (r.inputs as any).spec.groups }) }));
    const keys = configuredSecretKeys(resources);
    if (keys) {
        const standIns = placeholderSecrets(settings);
        const placeholders: ReceiverSecrets = Object.fromEntries(keys.filter(isSecretConfigKey).map((k) => [k, standIns[k]]));
        files.push({ path: "alertmanager.yaml", text: yamlText(alertmanagerConfig(settings, placeholders)) });
    }
    return files;
}
