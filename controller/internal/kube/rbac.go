package kube

// Least privilege (src/spec/crd.cpp, operator-manifests): the kinds only the wasme node cache
// uses are granted by a Role in NodeCacheNamespace, not cluster-wide, so they are listed there.

// nodeCacheOnly are the kinds the controller makes only in the node cache's namespace.
var nodeCacheOnly = map[string]bool{"ConfigMap": true, "ServiceAccount": true, "Role": true, "RoleBinding": true}

// SweepNamespace is where the owner-label sweep lists a kind: the node cache's namespace for
// the kinds only it holds, every namespace ("") otherwise.
func SweepNamespace(k Kind) string {
	if nodeCacheOnly[k.Kind] {
		return NodeCacheNamespace
	}
	return ""
}
