package kube

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// The tenancy model. Whoever may create a namespaced WasmDeployment or FilterDeployment in
// namespace N gets, through the controller, exactly what they could do themselves in N with
// EnvoyFilters and WasmPlugins: objects in N, patches to workloads in N. Everything that reaches
// further (another namespace, the Istio root namespace whose filters apply to every proxy, the
// hostPath node cache in the wasme namespace, files on the controller's own disk) is refused with
// a stable code. A cluster-scoped ClusterWasmDeployment, which only a cluster admin can create,
// may target any namespace (and the root namespace) and use the node cache; a namespace may be
// allowed the node cache by the controller's --node-cache-namespaces flag (the admin's policy).

// Policy is what one owner may do.
type Policy struct {
	// Namespace is the owner's namespace; "" for a cluster-scoped owner.
	Namespace string
	// RootNamespace is Istio's config root namespace (meshConfig.rootNamespace, istio-system by
	// default): an EnvoyFilter or WasmPlugin there applies to workloads in every namespace.
	RootNamespace string
	// NodeCache allows the wasme node cache: the wasme namespace's DaemonSet with a hostPath and
	// the hostPath mount of the cache directory into workloads.
	NodeCache bool
}

// NodeCacheNamespace and NodeCacheDir are where wasme's node cache lives (src/render/wasme_cache.cpp).
const (
	NodeCacheNamespace = "wasme"
	NodeCacheDir       = "/var/local/lib/wasme-cache"
)

// Refusal is input the tenancy policy refuses: a stable code, the field path and a message.
type Refusal struct {
	Code, Path, Message string
}

func (r *Refusal) Error() string { return fmt.Sprintf("[%s] %s: %s", r.Code, r.Path, r.Message) }

func refuse(code, path, format string, args ...interface{}) *Refusal {
	return &Refusal{Code: code, Path: path, Message: fmt.Sprintf(format, args...)}
}

// Namespaced says whether the owner is namespaced (a tenant's object).
func (p Policy) Namespaced() bool { return p.Namespace != "" }

// CheckOwnerNamespace refuses a namespaced owner living in the root namespace: everything it
// made there would apply mesh-wide.
func (p Policy) CheckOwnerNamespace() *Refusal {
	if p.Namespaced() && p.Namespace == p.RootNamespace {
		return refuse("tenancy.root-namespace", "metadata.namespace",
			"%s is the Istio root namespace: filters there apply to every proxy in the mesh; use a ClusterWasmDeployment", p.Namespace)
	}
	return nil
}

// CheckModule refuses a module source the controller would read from its own file system (or
// fetch in plain text): only oci:// and https:// are accepted. image is true for wasme's
// FilterDeployment image field, where a bare reference means OCI.
func CheckModule(path, module string, image bool) *Refusal {
	switch {
	case strings.HasPrefix(module, "oci://"), strings.HasPrefix(module, "https://"):
		return nil
	case image && module != "" && !strings.Contains(module, "://"):
		return nil
	}
	return refuse("tenancy.module-source", path,
		"the controller accepts only oci:// and https:// modules (not files on its own disk, file:// or http://)")
}

// CheckSpec checks a WasmDeployment spec (the custom resource's body as JSON data) and, for a
// namespaced owner, fills every target's empty namespace with the owner's.
func (p Policy) CheckSpec(spec map[string]interface{}) *Refusal {
	if r := p.CheckOwnerNamespace(); r != nil {
		return r
	}
	filters, _ := spec["filters"].([]interface{})
	for i, f := range filters {
		fm, _ := f.(map[string]interface{})
		module, _ := fm["module"].(string)
		if r := CheckModule(fmt.Sprintf("filters[%d].module", i), module, false); r != nil {
			return r
		}
		// Both name files the renderer would read on the controller's disk.
		for _, field := range []string{"runtimeConfig", "imageLayout"} {
			if v, _ := fm[field].(string); v != "" {
				return refuse("tenancy.local-path", fmt.Sprintf("filters[%d].%s", i, field),
					"names a file on the controller's disk; the controller reads no local files")
			}
		}
	}
	targets, _ := spec["targets"].([]interface{})
	for i, t := range targets {
		tm, _ := t.(map[string]interface{})
		if tm == nil {
			continue
		}
		path := fmt.Sprintf("targets[%d]", i)
		ns, _ := tm["namespace"].(string)
		switch {
		case ns == "" && p.Namespaced():
			tm["namespace"] = p.Namespace
			ns = p.Namespace
		case ns == "":
			return refuse("tenancy.no-namespace", path+".namespace", "a ClusterWasmDeployment's target names its namespace")
		case p.Namespaced() && ns != p.Namespace:
			return refuse("tenancy.cross-namespace", path+".namespace",
				"%s is not this object's namespace (%s); a namespaced object acts only in its own namespace", ns, p.Namespace)
		}
		if p.Namespaced() && ns == p.RootNamespace {
			return refuse("tenancy.root-namespace", path+".namespace", "%s is the Istio root namespace (mesh-wide)", ns)
		}
		workloads, _ := tm["workloads"].([]interface{})
		for j, w := range workloads {
			wm, _ := w.(map[string]interface{})
			if a, _ := wm["annotations"].(map[string]interface{}); len(a) > 0 {
				return refuse("tenancy.workload-annotations", fmt.Sprintf("%s.workloads[%d].annotations", path, j),
					"the controller reads a workload's annotations from the workload itself; the spec may not supply them")
			}
		}
	}
	return nil
}

// Doc is what the policy reads of one rendered document.
type Doc struct {
	Patch           bool // a change to a user's workload, not a whole object
	Kind, Namespace string
	Name            string
	Object          map[string]interface{}
}

// UserVolume and UserVolumeMount are the sidecar injector's annotations (Istio's
// pkg/kube/inject: sidecar.istio.io/userVolume, a JSON map of volume name to volume source).
const (
	UserVolume      = "sidecar.istio.io/userVolume"
	UserVolumeMount = "sidecar.istio.io/userVolumeMount"
)

// CheckDocs checks rendered documents against the policy: every object in an allowed
// namespace, and no new hostPath volume in a workload except the node cache, when allowed.
// before holds each patched workload's pod-template annotations as the user left them.
func (p Policy) CheckDocs(docs []Doc, before map[string]map[string]string) *Refusal {
	for i, d := range docs {
		where := fmt.Sprintf("rendered[%d] %s %s/%s", i, d.Kind, d.Namespace, d.Name)
		cache := d.Namespace == NodeCacheNamespace || (d.Kind == "Namespace" && d.Name == NodeCacheNamespace)
		switch {
		case cache && !p.NodeCache:
			return refuse("tenancy.node-cache", where,
				"this delivery needs the wasme node cache (a hostPath DaemonSet on every node), which this namespace may not use; "+
					"deliver the module by oci:// or https:// to Istio >= 1.12, or ask an admin for --node-cache-namespaces")
		case cache:
		case d.Kind == "Namespace" || d.Namespace == "":
			return refuse("tenancy.cluster-object", where, "the controller creates no cluster-scoped object but the node cache's namespace")
		case p.Namespaced() && d.Namespace != p.Namespace:
			return refuse("tenancy.cross-namespace", where, "outside the object's namespace %s", p.Namespace)
		}
		if !d.Patch {
			continue
		}
		added, err := NewHostPaths(before[d.Namespace+"/"+d.Name], podAnnotations(d.Object))
		if err != nil {
			return refuse("tenancy.host-path", where, "%v", err)
		}
		for _, hp := range added {
			hp = path.Clean(hp)
			if hp != NodeCacheDir && !strings.HasPrefix(hp, NodeCacheDir+"/") {
				return refuse("tenancy.host-path", where, "mounts host path %s; only the node cache %s may be mounted", hp, NodeCacheDir)
			}
			if !p.NodeCache {
				return refuse("tenancy.node-cache", where, "mounts the node cache %s, which this namespace may not use", hp)
			}
		}
	}
	return nil
}

func podAnnotations(obj map[string]interface{}) map[string]string {
	out := map[string]string{}
	spec, _ := obj["spec"].(map[string]interface{})
	tmpl, _ := spec["template"].(map[string]interface{})
	md, _ := tmpl["metadata"].(map[string]interface{})
	ann, _ := md["annotations"].(map[string]interface{})
	for k, v := range ann {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// NewHostPaths lists the hostPath paths in after's userVolume that before's did not mount
// (what a render adds, not what the user already mounted themselves).
func NewHostPaths(before, after map[string]string) ([]string, error) {
	had := map[string]bool{}
	if paths, err := hostPaths(before[UserVolume]); err == nil {
		for _, p := range paths {
			had[p] = true
		}
	} // a user's own unreadable value: judge everything rendered
	now, err := hostPaths(after[UserVolume])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range now {
		if !had[p] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

type volumeSource struct {
	HostPath *struct {
		Path string `json:"path"`
	} `json:"hostPath"`
}

// hostPaths reads userVolume in either form the injector accepts: an object keyed by volume
// name, or a list of volumes with names.
func hostPaths(annotation string) ([]string, error) {
	if annotation == "" {
		return nil, nil
	}
	var volumes []volumeSource
	var byName map[string]volumeSource
	if err := json.Unmarshal([]byte(annotation), &byName); err == nil {
		for _, v := range byName {
			volumes = append(volumes, v)
		}
	} else if err := json.Unmarshal([]byte(annotation), &volumes); err != nil {
		return nil, fmt.Errorf("%s is neither a JSON object nor a list of volumes: %v", UserVolume, err)
	}
	var out []string
	for _, v := range volumes {
		if v.HostPath != nil {
			out = append(out, v.HostPath.Path)
		}
	}
	return out, nil
}
