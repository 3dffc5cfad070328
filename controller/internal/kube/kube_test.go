package kube

import (
	"strings"
	"testing"
	"time"
)

func TestIstioVersionFromImage(t *testing.T) {
	good := map[string]string{
		"docker.io/istio/pilot:1.29.1":                          "1.29.1",
		"gcr.io/istio-release/pilot:1.8.1-distroless":           "1.8.1",
		"localhost:5000/istio/pilot:1.24":                       "1.24",
		"istio/pilot:v1.12.0@sha256:" + strings.Repeat("a", 64): "1.12.0",
	}
	for image, want := range good {
		got, err := IstioVersionFromImage(image)
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", image, got, err, want)
		}
	}
	for _, image := range []string{"istio/pilot", "localhost:5000/istio/pilot", "istio/pilot:latest", "istio/pilot:1", "istio/pilot@sha256:" + strings.Repeat("a", 64)} {
		if v, err := IstioVersionFromImage(image); err == nil {
			t.Errorf("%s: got %q, want an error", image, v)
		}
	}
}

func TestOwnerKeysFitKubernetesLimits(t *testing.T) {
	o := Owner{Kind: "FilterDeployment", Namespace: strings.Repeat("n", 63), Name: strings.Repeat("x", 253)}
	name := strings.TrimPrefix(o.LabelKey(), "wasmdeploy.io/")
	if len(name) > 63 {
		t.Fatalf("label name %q longer than 63", name)
	}
	if len(o.FieldManager()) > 128 {
		t.Fatalf("field manager %q longer than 128", o.FieldManager())
	}
	if o.Hash() == (Owner{Kind: "WasmDeployment", Namespace: o.Namespace, Name: o.Name}).Hash() {
		t.Fatal("owners of different kinds share a hash")
	}
}

func TestRefRoundTrip(t *testing.T) {
	for _, r := range []Ref{{"apps", "Deployment", "bookinfo", "details-v1"}, {"", "Namespace", "", "wasme"}} {
		got, err := ParseRef(r.String())
		if err != nil || got != r {
			t.Errorf("%v: got %v, %v", r, got, err)
		}
	}
	if _, err := ParseRef("apps/Deployment/x"); err == nil {
		t.Error("a three-part reference was accepted")
	}
}

func TestStale(t *testing.T) {
	got := Stale([]string{"b", "a", "c"}, map[string]bool{"a": true})
	if strings.Join(got, ",") != "b,c" {
		t.Fatalf("got %v", got)
	}
}

func TestMayDelete(t *testing.T) {
	ours := []ManagedField{{Manager: ControllerName + "/abc"}, {Manager: "kube-controller-manager", Subresource: "status"}}
	created := map[string]string{AnnotationCreated: ControllerName}
	if !MayDelete("EnvoyFilter", nil, created, ours) {
		t.Error("an object only this controller created and wrote (status aside) must be deletable")
	}
	if MayDelete("EnvoyFilter", nil, nil, ours) {
		t.Error("an object without the creation mark was deletable")
	}
	if MayDelete("Namespace", nil, created, ours) {
		t.Error("a Namespace was deletable (it may hold a user's objects)")
	}
	if MayDelete("EnvoyFilter", map[string]string{OwnerPrefix + "other": "true"}, created, ours) {
		t.Error("an object another owner still holds was deletable")
	}
	if MayDelete("Deployment", nil, map[string]string{AnnotationCreated: ControllerName, RestorePrefix + "x": "{}"}, ours) {
		t.Error("a workload was deletable")
	}
	if MayDelete("EnvoyFilter", nil, created, append(ours, ManagedField{Manager: "kubectl-client-side-apply"})) {
		t.Error("an object a user wrote was deletable")
	}
}

func TestOriginalsKeepTheFirstRecord(t *testing.T) {
	keys := []string{"sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount"}
	first := OriginalsFor(keys, "", map[string]string{"sidecar.istio.io/userVolume": `{"tmp":{"emptyDir":{}}}`})
	enc := first.Encode()
	// The second apply sees our merged values as current: the record must not change.
	second := OriginalsFor(keys, enc, map[string]string{"sidecar.istio.io/userVolume": "merged", "sidecar.istio.io/userVolumeMount": "ours"})
	if second.Encode() != enc {
		t.Fatalf("record changed on re-apply: %s -> %s", enc, second.Encode())
	}
	p := second.Present()
	if len(p) != 1 || p["sidecar.istio.io/userVolume"] != `{"tmp":{"emptyDir":{}}}` {
		t.Fatalf("present = %v", p)
	}
}

func TestSetConditionKeepsTransitionTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := SetCondition(nil, Condition{Type: "Ready", Status: "True"}, t0)
	c = SetCondition(c, Condition{Type: "Ready", Status: "True", Message: "again"}, t0.Add(time.Hour))
	if len(c) != 1 || c[0].LastTransitionTime != "2026-01-01T00:00:00Z" || c[0].Message != "again" {
		t.Fatalf("got %+v", c)
	}
	c = SetCondition(c, Condition{Type: "Ready", Status: "False"}, t0.Add(time.Hour))
	if c[0].LastTransitionTime != "2026-01-01T01:00:00Z" {
		t.Fatalf("transition not recorded: %+v", c)
	}
}

func TestKindTable(t *testing.T) {
	if k, err := KindOf("networking.istio.io", "EnvoyFilter"); err != nil || k.Resource != "envoyfilters" || !k.Namespaced {
		t.Fatalf("EnvoyFilter: %+v %v", k, err)
	}
	if k, _ := KindOf("", "Namespace"); k.Namespaced {
		t.Fatal("Namespace is cluster-scoped")
	}
	if _, err := KindOf("gateway.solo.io", "Gateway"); err == nil {
		t.Fatal("an unmanaged kind was accepted")
	}
	if g, v := SplitAPIVersion("apps/v1"); g != "apps" || v != "v1" {
		t.Fatal(g, v)
	}
}

func TestReleaseOrderPutsNamespacesLast(t *testing.T) {
	got := ReleaseOrder([]string{"/ConfigMap/wasme/c", "/Namespace//wasme", "apps/DaemonSet/wasme/d"})
	if strings.Join(got, " ") != "/ConfigMap/wasme/c apps/DaemonSet/wasme/d /Namespace//wasme" {
		t.Fatalf("got %v", got)
	}
}

func TestSweepNamespaceFollowsTheRBAC(t *testing.T) {
	for _, k := range Kinds() {
		want := ""
		switch k.Kind {
		case "ConfigMap", "ServiceAccount", "Role", "RoleBinding":
			want = NodeCacheNamespace // granted by the Role in wasme only
		}
		if got := SweepNamespace(k); got != want {
			t.Errorf("%s swept in %q, want %q", k.Kind, got, want)
		}
	}
}

func TestOtherOwnerConflict(t *testing.T) {
	me := Owner{Kind: "FilterDeployment", Namespace: "tenant-d", Name: "one"}
	other := Owner{Kind: "FilterDeployment", Namespace: "tenant-c", Name: "one"}
	cases := []struct {
		causes []string
		want   bool
		why    string
	}{
		{[]string{`conflict with "` + other.FieldManager() + `"`}, true, "another owner's render"},
		{[]string{`conflict with "kubectl-edit" using apps/v1`, `conflict with "` + other.FieldManager() + `"`}, true, "one of them another owner"},
		{[]string{`conflict with "kubectl-edit" using apps/v1 at 2026-12-06T00:00:00Z`}, false, "a hand edit: taken back"},
		{[]string{`conflict with "kubectl-client-side-apply" using v1`}, false, "a client-side apply: taken back"},
		{[]string{`conflict with "` + me.FieldManager() + `"`}, false, "its own manager"},
		{[]string{"something else"}, true, "unreadable: never overwrite on a guess"},
		{nil, true, "no causes: never overwrite on a guess"},
	}
	for _, c := range cases {
		if got := OtherOwnerConflict(c.causes, me); got != c.want {
			t.Errorf("%s: OtherOwnerConflict(%q) = %v", c.why, c.causes, got)
		}
	}
}
