// Kubernetes label-selector semantics (matchLabels and the four matchExpressions operators), as the
// API server, the operators and the CNI apply them. A weaker stand-in for their own Go code.
export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
    readonly matchLabels?: Labels;
    readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** Whether `selector` selects `labels`; an empty selector selects everything. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        switch (e.operator) {
            case "In":
                return has && (e.values ?? []).includes(labels[e.key]);
            case "NotIn":
                return !has || !(e.values ?? []).includes(labels[e.key]);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            default:
                throw new Error(`unknown label-selector operator ${e.operator}`);
        }
    });
    return byLabels && byExpressions;
}
