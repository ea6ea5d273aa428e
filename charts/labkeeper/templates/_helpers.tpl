{{/* Names and labels shared by the chart's resources. */}}
{{- define "labkeeper.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "labkeeper.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "labkeeper.labels" -}}
{{ include "labkeeper.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The ConfigMap of lab files the pod mounts: the one named, or the chart's own. */}}
{{- define "labkeeper.configMapName" -}}
{{- default (printf "%s-labs" (include "labkeeper.fullname" .)) .Values.configMap.existing -}}
{{- end -}}

{{- define "labkeeper.tokenSecretName" -}}
{{- default (printf "%s-token" (include "labkeeper.fullname" .)) .Values.token.existingSecret -}}
{{- end -}}

{{/* Where the labs are in the pod, for --dir. */}}
{{- define "labkeeper.labsDir" -}}
{{- if eq .Values.source "gitSync" -}}
{{- printf "%s/git-sync/labs" .Values.hostPaths.root -}}
{{- if .Values.gitSync.subPath }}/{{ .Values.gitSync.subPath }}{{ end -}}
{{- else if eq .Values.source "git" -}}
{{- printf "%s/git" .Values.hostPaths.root -}}
{{- else -}}
/etc/labkeeper/labs
{{- end -}}
{{- end -}}

{{/* A listener on loopback needs no token. */}}
{{- define "labkeeper.loopback" -}}
{{- if or (hasPrefix "127." .Values.listen.address) (eq .Values.listen.address "::1") (eq .Values.listen.address "localhost") -}}
true
{{- end -}}
{{- end -}}
