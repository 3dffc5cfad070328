package kube

import "fmt"

// Kind is an API resource the renderer may produce.
type Kind struct {
	Group, Version, Kind, Resource string
	Namespaced                     bool
}

// kinds lists every kind the Istio renderers emit (the ClusterRole in
// src/spec/crd.cpp grants exactly these).
var kinds = []Kind{
	{"networking.istio.io", "v1alpha3", "EnvoyFilter", "envoyfilters", true},
	{"extensions.istio.io", "v1alpha1", "WasmPlugin", "wasmplugins", true},
	{"extensions.istio.io", "v1alpha1", "TrafficExtension", "trafficextensions", true},
	{"", "v1", "ConfigMap", "configmaps", true},
	{"", "v1", "ServiceAccount", "serviceaccounts", true},
	{"", "v1", "Namespace", "namespaces", false},
	{"rbac.authorization.k8s.io", "v1", "Role", "roles", true},
	{"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true},
	{"apps", "v1", "DaemonSet", "daemonsets", true},
	{"apps", "v1", "Deployment", "deployments", true},
	{"apps", "v1", "StatefulSet", "statefulsets", true},
}

// Kinds returns the table.
func Kinds() []Kind { return kinds }

// KindOf finds a kind by group and kind name.
func KindOf(group, kind string) (Kind, error) {
	for _, k := range kinds {
		if k.Group == group && k.Kind == kind {
			return k, nil
		}
	}
	return Kind{}, fmt.Errorf("the controller does not manage %s %s", group, kind)
}

// SplitAPIVersion turns "apps/v1" into ("apps", "v1") and "v1" into ("", "v1").
func SplitAPIVersion(av string) (string, string) {
	for i := 0; i < len(av); i++ {
		if av[i] == '/' {
			return av[:i], av[i+1:]
		}
	}
	return "", av
}
