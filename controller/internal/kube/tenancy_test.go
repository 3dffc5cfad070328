package kube

import (
	"encoding/json"
	"strings"
	"testing"
)

func spec(t *testing.T, text string) map[string]interface{} {
	t.Helper()
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func code(r *Refusal) string {
	if r == nil {
		return ""
	}
	return r.Code
}

var tenantA = Policy{Namespace: "tenant-a", RootNamespace: "istio-system"}

func TestSpecStaysInItsNamespace(t *testing.T) {
	cases := []struct{ what, spec, code, path string }{
		{"own namespace", `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"namespace":"tenant-a","selector":{"app":"x"}}]}`, "", ""},
		{"another tenant", `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"namespace":"tenant-b","selector":{"app":"x"}}]}`, "tenancy.cross-namespace", "targets[0].namespace"},
		{"kube-system", `{"filters":[{"module":"https://h/f.wasm"}],"targets":[{"selector":{"a":"b"}},{"namespace":"kube-system"}]}`, "tenancy.cross-namespace", "targets[1].namespace"},
		{"a file on the controller's disk", `{"filters":[{"module":"/dev/zero"}],"targets":[{}]}`, "tenancy.module-source", "filters[0].module"},
		{"a relative file", `{"filters":[{"module":"./f.wasm"}],"targets":[{}]}`, "tenancy.module-source", "filters[0].module"},
		{"file://", `{"filters":[{"module":"file:///etc/passwd"}],"targets":[{}]}`, "tenancy.module-source", "filters[0].module"},
		{"http://", `{"filters":[{"module":"http://h/f.wasm"}],"targets":[{}]}`, "tenancy.module-source", "filters[0].module"},
		{"runtimeConfig", `{"filters":[{"module":"oci://r/f:v1","runtimeConfig":"/etc/shadow"}],"targets":[{}]}`, "tenancy.local-path", "filters[0].runtimeConfig"},
		{"imageLayout", `{"filters":[{"module":"oci://r/f:v1","imageLayout":"/"}],"targets":[{}]}`, "tenancy.local-path", "filters[0].imageLayout"},
		{"annotations from the spec", `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"workloads":[{"name":"w","annotations":{"sidecar.istio.io/userVolume":"{\"root\":{\"hostPath\":{\"path\":\"/\"}}}"}}]}]}`, "tenancy.workload-annotations", "targets[0].workloads[0].annotations"},
	}
	for _, c := range cases {
		s := spec(t, c.spec)
		r := tenantA.CheckSpec(s)
		if code(r) != c.code || (r != nil && r.Path != c.path) {
			t.Errorf("%s: got %+v, want %s at %s", c.what, r, c.code, c.path)
		}
	}
	s := spec(t, `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"selector":{"app":"x"}}]}`)
	if r := tenantA.CheckSpec(s); r != nil {
		t.Fatal(r)
	}
	if ns := s["targets"].([]interface{})[0].(map[string]interface{})["namespace"]; ns != "tenant-a" {
		t.Fatalf("an empty target namespace became %v, not the owner's", ns)
	}
}

func TestRootNamespace(t *testing.T) {
	root := Policy{Namespace: "istio-system", RootNamespace: "istio-system"}
	if r := root.CheckSpec(spec(t, `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"allWorkloads":true}]}`)); code(r) != "tenancy.root-namespace" || r.Path != "metadata.namespace" {
		t.Fatalf("an object in the root namespace: %+v", r)
	}
	custom := Policy{Namespace: "tenant-a", RootNamespace: "tenant-a"}
	if r := custom.CheckOwnerNamespace(); code(r) != "tenancy.root-namespace" {
		t.Fatalf("a configured root namespace: %+v", r)
	}
	cluster := Policy{RootNamespace: "istio-system", NodeCache: true}
	if r := cluster.CheckSpec(spec(t, `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"namespace":"istio-system","allWorkloads":true},{"namespace":"b"}]}`)); r != nil {
		t.Fatalf("a cluster-scoped owner is refused mesh-wide: %+v", r)
	}
	if r := cluster.CheckSpec(spec(t, `{"filters":[{"module":"oci://r/f:v1"}],"targets":[{"selector":{"a":"b"}}]}`)); code(r) != "tenancy.no-namespace" {
		t.Fatalf("a cluster-scoped target without a namespace: %+v", r)
	}
	if r := cluster.CheckSpec(spec(t, `{"filters":[{"module":"/dev/zero"}],"targets":[{"namespace":"b"}]}`)); code(r) != "tenancy.module-source" {
		t.Fatalf("a cluster-scoped owner may not read local files either: %+v", r)
	}
}

func TestFilterDeploymentImage(t *testing.T) {
	for image, ok := range map[string]bool{"webassemblyhub.io/sodman/istio-1-7:v0.3": true, "oci://r/f:v1": true,
		"file:///dev/zero": false, "": false, "http://h/f": false} {
		if r := CheckModule("spec.filter.image", image, true); (r == nil) != ok {
			t.Errorf("%q: %+v", image, r)
		}
	}
}

func patchDoc(ns, name string, ann map[string]string) Doc {
	a := map[string]interface{}{}
	for k, v := range ann {
		a[k] = v
	}
	return Doc{Patch: true, Kind: "Deployment", Namespace: ns, Name: name, Object: map[string]interface{}{
		"spec": map[string]interface{}{"template": map[string]interface{}{"metadata": map[string]interface{}{"annotations": a}}}}}
}

func TestRenderedDocs(t *testing.T) {
	ef := Doc{Kind: "EnvoyFilter", Namespace: "tenant-a", Name: "f"}
	cacheNS := Doc{Kind: "Namespace", Name: "wasme"}
	ds := Doc{Kind: "DaemonSet", Namespace: "wasme", Name: "wasme-cache"}
	cacheMount := patchDoc("tenant-a", "w", map[string]string{UserVolume: `{"cache-dir":{"hostPath":{"path":"/var/local/lib/wasme-cache"}}}`})
	if r := tenantA.CheckDocs([]Doc{ef}, nil); r != nil {
		t.Fatal(r)
	}
	for _, d := range []Doc{cacheNS, ds, cacheMount} {
		if r := tenantA.CheckDocs([]Doc{ef, d}, nil); code(r) != "tenancy.node-cache" {
			t.Errorf("%s %s without the node cache allowed: %+v", d.Kind, d.Name, r)
		}
	}
	allowed := tenantA
	allowed.NodeCache = true
	if r := allowed.CheckDocs([]Doc{ef, cacheNS, ds, cacheMount}, nil); r != nil {
		t.Fatalf("node cache allowed: %v", r)
	}
	if r := allowed.CheckDocs([]Doc{{Kind: "EnvoyFilter", Namespace: "tenant-b", Name: "f"}}, nil); code(r) != "tenancy.cross-namespace" {
		t.Fatalf("another namespace: %+v", r)
	}
	if r := allowed.CheckDocs([]Doc{{Kind: "Namespace", Name: "kube-system"}}, nil); code(r) != "tenancy.cluster-object" {
		t.Fatalf("a cluster object: %+v", r)
	}
	root := patchDoc("tenant-a", "w", map[string]string{UserVolume: `{"r":{"hostPath":{"path":"/"}}}`})
	escape := patchDoc("tenant-a", "w", map[string]string{UserVolume: `[{"name":"r","hostPath":{"path":"/var/local/lib/wasme-cache/../../.."}}]`})
	for _, d := range []Doc{root, escape} {
		if r := allowed.CheckDocs([]Doc{d}, nil); code(r) != "tenancy.host-path" {
			t.Errorf("host path: %+v", r)
		}
	}
	// A hostPath the user mounted themselves stays and is not the render's doing.
	own := map[string]map[string]string{"tenant-a/w": {UserVolume: `[{"name":"r","hostPath":{"path":"/"}}]`}}
	if r := tenantA.CheckDocs([]Doc{root}, own); r != nil {
		t.Fatalf("the user's own hostPath: %v", r)
	}
}

func TestAdoptionConflict(t *testing.T) {
	a := Owner{Kind: "WasmDeployment", Namespace: "team-a", Name: "x"}
	b := Owner{Kind: "WasmDeployment", Namespace: "team-a", Name: "y"}
	hers := AdoptionConflict(a, map[string]string{}, []ManagedField{{Manager: "kubectl-client-side-apply"}}, false)
	if !strings.Contains(hers, "kubectl-client-side-apply") || !strings.Contains(hers, "not created") {
		t.Fatalf("a user's object: %q", hers)
	}
	held := map[string]string{AnnotationCreated: ControllerName, b.LabelKey(): b.String()}
	if got := AdoptionConflict(a, held, nil, false); !strings.Contains(got, b.String()) {
		t.Fatalf("another owner's object: %q", got)
	}
	if got := AdoptionConflict(a, held, nil, true); got != "" {
		t.Fatalf("a shared node-cache object: %q", got)
	}
	if got := AdoptionConflict(b, held, nil, false); got != "" {
		t.Fatalf("its own object: %q", got)
	}
	if got := AdoptionConflict(a, map[string]string{}, nil, true); got == "" {
		t.Fatal("a shared object someone else made was adopted")
	}
}
