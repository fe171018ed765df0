// The Thanos Ruler of a Thanos stack, on the hub: the prometheus-operator `ThanosRuler` custom
// resource, declared through kube-prometheus-stack's `thanosRuler` values.
//
// Why the operator's ThanosRuler rather than the Bitnami chart's ruler: the operator selects
// PrometheusRules by label exactly as it does for Prometheus, so the rules it evaluates are the
// PrometheusRule objects the plan writes (labelled thanos-ruler, which every Prometheus excludes),
// not a second copy in a ConfigMap of values; and kube-prometheus-stack, whose pinned package is
// rendered and validated against its CRDs, already runs the operator and scrapes the ruler.
//
// What it keeps: its own TSDB on a small disk (recorded series until the 2h block is uploaded, and
// alert state), uploaded to the thanos-blocks bucket with the sidecars' objstore Secret as the
// platform's uploader Workload Identity account (gcp/stores), so the compactor keeps its series for the same
// retention as everything else; Thanos Query reads the ruler's recent series through its Store API.
import type { Settings } from "../config/schema";
import { KSA_NAMES } from "../gcp/stores";
import { containerResources, volumeClaimSpec } from "../kubernetes/resources";
import { EVALUATOR_LABEL } from "../sre/evaluation";
import { thanosQueryAddress, THANOS_IMAGE, THANOS_OBJSTORE_SECRET } from "./thanos";

/** Thanos' PartialUploadThresholdAge (2 days) plus a day to retry the upload. */
export const THANOS_RULER_LOCAL_RETENTION = "3d";

/** The `thanosRuler` block of kube-prometheus-stack's values. */
export function thanosRulerValues(settings: Settings, storageClassName: string) {
    const ns = settings.namespaces.monitoring;
    return {
        enabled: true,
        // Uploads to the bucket as the uploaders' Workload Identity account (create, get, list; no delete).
        serviceAccount: { create: false, name: KSA_NAMES.thanosRuler },
        thanosRulerSpec: {
            image: { registry: THANOS_IMAGE.registry, repository: THANOS_IMAGE.repository, tag: THANOS_IMAGE.tag },
            replicas: 1,
            ruleSelector: { matchLabels: { [EVALUATOR_LABEL]: "thanos-ruler" } },
            ruleNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
            evaluationInterval: settings.prometheus.scrapeInterval,
            // Thanos Query deduplicates the HA Prometheus pairs (the ruler asks it to).
            queryEndpoints: [thanosQueryAddress(settings)],
            // Every replica of the hub's Alertmanager (alerts are not gossiped between replicas), on
            // API v2: `alertmanagersUrl` would use v1, which Alertmanager no longer serves.
            alertmanagersConfig: {
                secret: {
                    alertmanagers: [
                        {
                            api_version: "v2",
                            scheme: "http",
                            static_configs: [`dnssrvnoa+_http-web._tcp.alertmanager-operated.${ns}.svc.cluster.local`],
                            timeout: "10s",
                        },
                    ],
                },
            },
            objectStorageConfig: { existingSecret: { name: THANOS_OBJSTORE_SECRET.name, key: THANOS_OBJSTORE_SECRET.key } },
            // Local blocks only bridge the uploads; queries over the period go through Thanos Query.
            // Longer than the compactor's 2 days before it removes a partial upload: an uploader may
            // not overwrite (gcp/stores), so a failed upload is retried only after that, from here.
            retention: THANOS_RULER_LOCAL_RETENTION,
            storage: { volumeClaimTemplate: { spec: volumeClaimSpec(storageClassName, settings.thanos.rulerStorageGi) } },
            resources: containerResources(settings.resources.thanosRuler),
        },
    };
}
