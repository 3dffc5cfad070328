package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
	"github.com/wasmdeploy/wasmdeploy/controller/internal/wasmdeploy"
)

// refusal is input the renderer refused: reported in status, not retried until it changes.
type refusal struct{ err *wasmdeploy.Error }

func (r *refusal) Error() string { return r.err.Message }

func refused(err error) error {
	var e *wasmdeploy.Error
	if errors.As(err, &e) {
		return &refusal{e}
	}
	return err
}

// policyRefusal turns a tenancy refusal into the renderer's error shape, so status and events
// report both alike.
func policyRefusal(file string, r *kube.Refusal) error {
	return &refusal{&wasmdeploy.Error{Code: -2, ID: r.Code, Path: r.Path,
		Message: fmt.Sprintf("%s: [%s] %s: %s", file, r.Code, r.Path, r.Message)}}
}

// outcome is what one reconcile did, for status and events.
type outcome struct {
	istio     string
	applied   []string
	workloads map[string]workloadState // FilterDeployment only
	refusal   *wasmdeploy.Error
	conflict  string // an existing object it may not take over, and who holds it
	// noWorkloads: a FilterDeployment whose selector matches nothing yet is not Ready (a
	// workload created later is seen by the watch in live.go).
	noWorkloads bool
	warnings    []string // the library's warnings: a Warnings condition and Events
	err         error
}

type workloadState struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

func gvrOf(k kube.Kind) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Resource}
}

// reconcile makes the cluster match one owner object.
func (c *controller) reconcile(ctx context.Context, kind ownerKind, ns, name string) error {
	owner := kube.Owner{Kind: kind.kind, Namespace: ns, Name: name}
	// From the informer cache: every change to the owner comes through it as an event anyway.
	obj, err := c.cachedOwner(kind, ns, name)
	if err != nil {
		return err
	}
	if obj == nil {
		if _, done := c.finalized.LoadAndDelete(owner.String()); done {
			return nil
		}
		// Gone without our finalizer (removed by hand): still clean up what carries its label.
		return c.cleanup(ctx, owner, nil, true, nil)
	}
	mem := c.mem.get(obj.GetUID())
	cachedStatus := mem.recall(obj)
	if obj.GetDeletionTimestamp() != nil {
		if !hasFinalizer(obj) {
			return nil
		}
		if err := c.cleanup(ctx, owner, inventory(obj), false, c.libraryRestores(ctx, kind, owner, obj)); err != nil {
			c.event(obj, "Warning", "CleanupFailed", err.Error())
			return err
		}
		c.event(obj, "Normal", "Removed", "removed everything it made and restored its workloads")
		if err := c.setFinalizer(ctx, kind, obj, false); err != nil {
			return err
		}
		c.finalized.Store(owner.String(), true)
		c.mem.forget(obj.GetUID())
		return nil
	}
	if hasFinalizer(obj) {
		mem.finalizer = false // the cache shows it: a later removal by hand is seen again
	}
	// apply adds the finalizer when the render needs one (needsFinalizer).
	out := c.apply(ctx, kind, owner, obj, mem)
	if err := c.writeStatus(ctx, kind, obj, out, mem, cachedStatus); err != nil {
		return err
	}
	if out.refusal != nil {
		return nil // terminal until the object changes
	}
	if isResolveFailure(out.err) {
		return nil // retried on the resolver's schedule (resolve.go)
	}
	return out.err
}

// apply renders the owner and applies the result, then prunes what the previous render made
// and this one does not.
func (c *controller) apply(ctx context.Context, kind ownerKind, owner kube.Owner, obj *unstructured.Unstructured, mem *ownerMemory) outcome {
	out := outcome{}
	// The recorded inventory, and what carries the owner's label in the watched caches (what
	// it applied there without recording it first: see below).
	previous := union(inventory(obj), c.labelled(owner))
	docs, workloads, istio, err := c.render(ctx, kind, owner, obj, &out.warnings)
	for _, w := range out.warnings {
		if generationChanged(obj) {
			c.event(obj, "Warning", "LibraryWarning", w)
		}
	}
	out.istio = istio
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			out.refusal = r.err
			c.event(obj, "Warning", "Refused", r.err.Message)
		} else {
			out.err = err
			reason := "RenderFailed"
			if isResolveFailure(err) {
				reason = "ResolveFailed"
			}
			c.event(obj, "Warning", reason, err.Error())
		}
		out.applied = previous // nothing applied; keep the inventory for a later prune
		return out
	}
	if msg, err := c.conflict(ctx, owner, docs); err != nil || msg != "" {
		if err != nil {
			out.err = err
		} else {
			out.conflict = msg
			out.err = errors.New(msg)
			c.event(obj, "Warning", "Conflict", msg)
		}
		out.applied = previous
		return out
	}
	if !hasFinalizer(obj) && !mem.finalizer && c.needsFinalizer(docs, previous) {
		if err := c.setFinalizer(ctx, kind, obj, true); err != nil {
			out.err = fmt.Errorf("adding the finalizer: %w", err)
			out.applied = previous
			return out
		}
		mem.finalizer = true // the cache may show the object without it for a while
	}
	known := map[string]bool{}
	for _, r := range previous {
		known[r] = true
	}
	// New objects are recorded in the inventory before they are applied, so a crash in
	// between leaves nothing unrecorded; but one of a watched kind carries the owner's label,
	// which the synced cache finds (labelled), so it needs no separate status write first.
	grown := false
	for _, d := range docs {
		if r, err := refOf(d); err == nil && !known[r.String()] {
			known[r.String()] = true
			grown = grown || !c.covered(r)
		}
	}
	if grown {
		if err := c.recordInventory(ctx, kind, obj, kube.SortedKeys(known), mem); err != nil {
			out.err = fmt.Errorf("recording the inventory: %w", err)
			out.applied = previous
			return out
		}
	}
	wanted := map[string]bool{}
	var failed []string
	failedWorkload := map[string]string{}
	for _, d := range sharedFirst(docs) {
		ref, err := c.applyOne(ctx, owner, d, mem)
		var adoption *adoptionError
		if errors.As(err, &adoption) {
			// Nothing more is applied (the shared node cache comes first, so no filter or
			// workload points at a cache holding another owner's module) and nothing pruned.
			out.conflict = adoption.msg
			out.err = errors.New(adoption.msg)
			c.event(obj, "Warning", "Conflict", adoption.msg)
			for r := range wanted {
				previous = append(previous, r)
			}
			out.applied = union(previous)
			return out
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", ref, err))
			if d.Role == wasmdeploy.Patch {
				failedWorkload[ref.Name] = err.Error()
			}
			// Keep it in the inventory: it may have been applied partly.
		}
		wanted[ref.String()] = true
	}
	for r := range wanted {
		out.applied = append(out.applied, r)
	}
	sort.Strings(out.applied)
	for _, stale := range kube.ReleaseOrder(kube.Stale(previous, wanted)) {
		ref, err := kube.ParseRef(stale)
		if err == nil {
			err = c.release(ctx, owner, ref, nil)
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("pruning %s: %v", stale, err))
			out.applied = append(out.applied, stale) // retry the prune next time
		}
	}
	sort.Strings(out.applied)
	out.noWorkloads = kind.kind == "FilterDeployment" && len(workloads) == 0
	if workloads != nil {
		out.workloads = map[string]workloadState{}
		for _, w := range workloads {
			if r, bad := failedWorkload[w]; bad {
				out.workloads[w] = workloadState{State: "Failed", Reason: r}
			} else if len(failed) > 0 {
				out.workloads[w] = workloadState{State: "Failed", Reason: failed[0]}
			} else {
				out.workloads[w] = workloadState{State: "Succeeded"}
			}
		}
	}
	if len(failed) > 0 {
		out.err = errors.New(strings.Join(failed, "; "))
		c.event(obj, "Warning", "ApplyFailed", out.err.Error())
	} else if generationChanged(obj) {
		c.event(obj, "Normal", "Applied", fmt.Sprintf("applied %d objects for Istio %s", len(docs), istio))
	}
	return out
}

// conflict names the first rendered object the owner may not apply to: one someone else made
// (never adopted) or, outside the shared node cache, one another owner holds. Nothing is
// applied when there is one.
func (c *controller) conflict(ctx context.Context, owner kube.Owner, docs []wasmdeploy.Document) (string, error) {
	for _, d := range docs {
		ref, err := refOf(d)
		if err != nil {
			return "", err
		}
		if d.Role == wasmdeploy.Patch || ref.Kind == "Namespace" {
			continue // a user's workload is patched, not taken; a Namespace is only used
		}
		m, covered := c.cachedMeta(ref)
		if covered && m == nil {
			// Absent from the synced cache: applied without forcing, so one made a moment
			// ago by someone else is refused by the API server, then checked (applyOne).
			continue
		}
		var live metav1.Object = m
		if !covered {
			k, _ := kube.KindOf(ref.Group, ref.Kind)
			u, err := c.dyn.Resource(gvrOf(k)).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return "", err
			}
			live = u
		}
		if msg := adoptionConflict(owner, ref, live); msg != "" {
			return msg, nil
		}
	}
	return "", nil
}

// adoptionConflict is conflict's verdict on one existing object.
func adoptionConflict(owner kube.Owner, ref kube.Ref, live metav1.Object) string {
	var managers []kube.ManagedField
	for _, m := range live.GetManagedFields() {
		managers = append(managers, kube.ManagedField{Manager: m.Manager, Subresource: m.Subresource})
	}
	shared := ref.Namespace == kube.NodeCacheNamespace
	if why := kube.AdoptionConflict(owner, live.GetAnnotations(), managers, shared); why != "" {
		return fmt.Sprintf("%s %s/%s %s", ref.Kind, ref.Namespace, ref.Name, why)
	}
	return ""
}

// adoptionError is an object found, on applying, to be one the owner may not take over.
type adoptionError struct{ msg string }

func (e *adoptionError) Error() string { return e.msg }

// ownerSpec is an owner's spec as the library reads it, with what the render checks it against.
type ownerSpec struct {
	spec     *wasmdeploy.Spec
	selected []string                     // a FilterDeployment's workloads
	before   map[string]map[string]string // the listed workloads' live pod annotations
	istio    string
	file     string
	policy   kube.Policy
}

// specFor builds the owner's spec: the tenancy checks, the mesh version, and each listed
// workload with its live pod annotations (the library merges into them, so filters of other
// owners and the user's own values compose; README "Deploying and undoing").
func (c *controller) specFor(ctx context.Context, kind ownerKind, owner kube.Owner, obj *unstructured.Unstructured) (ownerSpec, error) {
	o := ownerSpec{policy: c.policy(kind, owner.Namespace)}
	o.file = fmt.Sprintf("%s/%s/%s", kind.plural, owner.Namespace, owner.Name)
	if kind.clusterScoped {
		o.file = fmt.Sprintf("%s/%s", kind.plural, owner.Name)
	}
	if r := o.policy.CheckOwnerNamespace(); r != nil {
		return o, policyRefusal(o.file, r)
	}
	istioNS := "istio-system"
	specIstio := ""
	if kind.kind == "FilterDeployment" {
		if v, ok, _ := unstructured.NestedString(obj.Object, "spec", "deployment", "istio", "istioNamespace"); ok && v != "" {
			istioNS = v
		}
	} else {
		specIstio, _, _ = unstructured.NestedString(obj.Object, "istio")
	}
	var err error
	if o.istio, err = c.meshVersion(ctx, istioNS, specIstio); err != nil {
		return o, err
	}
	if kind.kind == "FilterDeployment" {
		o.spec, o.selected, o.before, err = c.filterDeploymentSpec(ctx, owner, obj, o.file, o.policy)
	} else {
		o.spec, o.before, err = c.wasmDeploymentSpec(ctx, owner, obj, o.file, o.policy)
	}
	return o, err
}

// render builds the spec for the owner and renders it. For a FilterDeployment it also
// returns the names of the workloads it selected.
func (c *controller) render(ctx context.Context, kind ownerKind, owner kube.Owner, obj *unstructured.Unstructured, warnings *[]string) ([]wasmdeploy.Document, []string, string, error) {
	o, err := c.specFor(ctx, kind, owner, obj)
	if err != nil {
		return nil, nil, o.istio, err
	}
	spec, selected, before, istio, file, policy := o.spec, o.selected, o.before, o.istio, o.file, o.policy
	defer spec.Free()
	if kind.kind == "FilterDeployment" && len(selected) == 0 {
		return nil, selected, istio, nil // wasme made nothing when no workload matched
	}
	docs, diags, err := spec.Render(istio)
	if err != nil {
		return nil, selected, istio, refused(err)
	}
	for _, d := range diags {
		if d.Warning {
			*warnings = append(*warnings, fmt.Sprintf("[%s] %s", d.ID, d.Text))
		}
	}
	// What the render made must stay inside the owner's reach, whatever the library renders.
	checked := make([]kube.Doc, 0, len(docs))
	for _, d := range docs {
		ref, err := refOf(d)
		if err != nil {
			return nil, selected, istio, err
		}
		checked = append(checked, kube.Doc{Patch: d.Role == wasmdeploy.Patch, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name, Object: d.Object})
	}
	if r := policy.CheckDocs(checked, before); r != nil {
		return nil, selected, istio, policyRefusal(file, r)
	}
	return docs, selected, istio, nil
}

// wasmDeploymentSpec reads a (Cluster)WasmDeployment's spec after the tenancy checks; each
// listed workload gets its pod-template annotations from the live object (as the user left
// them), never from the spec.
func (c *controller) wasmDeploymentSpec(ctx context.Context, owner kube.Owner, obj *unstructured.Unstructured, file string, policy kube.Policy) (*wasmdeploy.Spec, map[string]map[string]string, error) {
	body := map[string]interface{}{}
	for k, v := range obj.DeepCopy().Object {
		if k != "metadata" && k != "status" {
			body[k] = v
		}
	}
	body["kind"] = "WasmDeployment"
	if r := policy.CheckSpec(body); r != nil {
		return nil, nil, policyRefusal(file, r)
	}
	before := map[string]map[string]string{}
	targets, _ := body["targets"].([]interface{})
	for _, t := range targets {
		tm, _ := t.(map[string]interface{})
		ns, _ := tm["namespace"].(string)
		workloads, _ := tm["workloads"].([]interface{})
		for _, w := range workloads {
			wm, _ := w.(map[string]interface{})
			name, _ := wm["name"].(string)
			wkind, _ := wm["kind"].(string)
			k, err := workloadKindOf(wkind)
			if err != nil || name == "" {
				continue // the reader refuses it with its own code
			}
			live, err := c.dyn.Resource(gvrOf(k)).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				continue // applying the patch reports it
			}
			if err != nil {
				return nil, nil, err
			}
			podAnn, _, _ := unstructured.NestedStringMap(live.Object, "spec", "template", "metadata", "annotations")
			ann := podAnn
			before[ns+"/"+name] = ann
			if len(ann) > 0 {
				m := map[string]interface{}{}
				for k, v := range ann {
					m[k] = v
				}
				wm["annotations"] = m
			}
		}
	}
	text, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	s, err := wasmdeploy.ParseSpec(text, file)
	if err != nil {
		return nil, nil, refused(err)
	}
	if p, _, _ := unstructured.NestedString(obj.Object, "options", "platform"); p != "" && p != "istio" {
		s.Free()
		return nil, nil, &refusal{&wasmdeploy.Error{Code: -2, ID: "controller.platform", Path: "options.platform",
			Message: fmt.Sprintf("%s: [controller.platform] options.platform: the controller deploys to Istio only, not %q", file, p)}}
	}
	if err := c.resolveInto(ctx, owner, s, wasmDeploymentModules(body)); err != nil {
		s.Free()
		return nil, nil, err
	}
	return s, before, nil
}

// filterDeploymentSpec imports the FilterDeployment and lists its workloads the way the wasme
// operator did: objects of spec.deployment.istio.kind in its namespace whose own labels match
// spec.deployment.istio.labels (wasme #116), one EnvoyFilter each, named <workload>-<id>.
func (c *controller) filterDeploymentSpec(ctx context.Context, owner kube.Owner, obj *unstructured.Unstructured, file string, policy kube.Policy) (*wasmdeploy.Spec, []string, map[string]map[string]string, error) {
	image, _, _ := unstructured.NestedString(obj.Object, "spec", "filter", "image")
	if r := kube.CheckModule("spec.filter.image", image, true); r != nil {
		return nil, nil, nil, policyRefusal(file, r)
	}
	doc := map[string]interface{}{
		"apiVersion": obj.GetAPIVersion(), "kind": obj.GetKind(),
		"metadata": map[string]interface{}{"name": obj.GetName(), "namespace": obj.GetNamespace()},
		"spec":     obj.Object["spec"],
	}
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := wasmdeploy.ImportSpec(text, file)
	if err != nil {
		return nil, nil, nil, refused(err)
	}
	ok := false
	defer func() {
		if !ok {
			s.Free()
		}
	}()
	digests, err := c.moduleDigests(ctx, obj)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, field := range kube.SortedKeys(digests) {
		if err := s.SetFilter(0, field, digests[field]); err != nil {
			return nil, nil, nil, refused(err)
		}
	}
	if err := c.resolveInto(ctx, owner, s, filterDeploymentModule(obj)); err != nil {
		return nil, nil, nil, err
	}
	workloadKind, _, _ := unstructured.NestedString(obj.Object, "spec", "deployment", "istio", "kind")
	k, err := workloadKindOf(workloadKind)
	if err != nil {
		return nil, nil, nil, &refusal{&wasmdeploy.Error{Code: -2, ID: "controller.workload-kind", Path: "spec.deployment.istio.kind",
			Message: fmt.Sprintf("%s: [controller.workload-kind] spec.deployment.istio.kind: %v", file, err)}}
	}
	sel, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "deployment", "istio", "labels")
	list, err := c.dyn.Resource(gvrOf(k)).Namespace(owner.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.ResetTarget(0, "selector"); err != nil {
		return nil, nil, nil, err
	}
	var names []string
	before := map[string]map[string]string{}
	items := list.Items
	sort.Slice(items, func(a, b int) bool { return items[a].GetName() < items[b].GetName() })
	for _, w := range items {
		podLabels, _, _ := unstructured.NestedStringMap(w.Object, "spec", "template", "metadata", "labels")
		podAnn, _, _ := unstructured.NestedStringMap(w.Object, "spec", "template", "metadata", "annotations")
		was := podAnn
		before[owner.Namespace+"/"+w.GetName()] = was
		if err := s.AddWorkload(0, wasmdeploy.Workload{Name: w.GetName(), Kind: k.Kind, Labels: podLabels, Annotations: was}); err != nil {
			return nil, nil, nil, refused(err)
		}
		names = append(names, w.GetName())
	}
	ok = true
	return s, names, before, nil
}

// moduleDigests gives a FilterDeployment's image digests by spec field (sha256: the manifest
// digest; moduleSha256: the hash of the .wasm, the node cache's file name) from its
// annotations; an image without either is resolved at its registry (resolve.go).
func (c *controller) moduleDigests(_ context.Context, obj *unstructured.Unstructured) (map[string]string, error) {
	out := map[string]string{}
	ann := obj.GetAnnotations()
	for field, key := range map[string]string{"sha256": kube.AnnotationSha256, "moduleSha256": kube.AnnotationModuleSha256} {
		if v := ann[key]; v != "" {
			out[field] = v
		}
	}
	return out, nil
}

func workloadKindOf(s string) (kube.Kind, error) {
	switch strings.ToLower(s) {
	case "", "deployment":
		return kube.KindOf("apps", "Deployment")
	case "daemonset":
		return kube.KindOf("apps", "DaemonSet")
	case "statefulset":
		return kube.KindOf("apps", "StatefulSet")
	}
	return kube.Kind{}, fmt.Errorf("%q is not Deployment, DaemonSet or StatefulSet", s)
}

// applyOne applies one rendered document. What wasmdeploy owns goes through server-side apply
// under the owner's field manager, with the owner's label. A user's workload is changed the way
// tests/cluster settled on for `render`: a JSON merge patch naming only the pod-template
// annotations, plus the owner's label and a record of the values it overwrote (server-side
// apply of a partial object would take over fields a client-side apply owned).
func (c *controller) applyOne(ctx context.Context, owner kube.Owner, d wasmdeploy.Document, mem *ownerMemory) (kube.Ref, error) {
	u := &unstructured.Unstructured{Object: d.Object}
	ref, err := refOf(d)
	if err != nil {
		return ref, err
	}
	k, _ := kube.KindOf(ref.Group, ref.Kind)
	ri := c.dyn.Resource(gvrOf(k)).Namespace(ref.Namespace)
	if d.Role == wasmdeploy.Patch {
		intent := bodyHash(canonicalJSON(u.Object["spec"]))
		if c.unchanged(mem, owner, ref, intent) {
			return ref, nil
		}
		live, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return ref, err // never create a user's workload
		}
		podAnn, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "metadata", "annotations")
		current, _, _ := unstructured.NestedStringMap(live.Object, "spec", "template", "metadata", "annotations")
		orig := kube.OriginalsFor(kube.SortedKeys(podAnn), live.GetAnnotations()[owner.RestoreKey()], current)
		patch := map[string]interface{}{
			"metadata": map[string]interface{}{
				"labels":      map[string]interface{}{owner.LabelKey(): "true"},
				"annotations": map[string]interface{}{owner.LabelKey(): owner.String(), owner.RestoreKey(): orig.Encode()},
			},
			"spec": u.Object["spec"],
		}
		body, err := json.Marshal(patch)
		if err != nil {
			return ref, err
		}
		res, err := ri.Patch(ctx, ref.Name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: owner.FieldManager()})
		if err == nil {
			c.remember(mem, ref, intent, res.GetGeneration())
		}
		return ref, err
	}
	if ref.Kind == "Namespace" {
		// Created when missing, never changed or deleted: it may hold what others put there.
		if _, err := ri.Get(ctx, ref.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return ref, err
		}
		ns := &unstructured.Unstructured{Object: map[string]interface{}{"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]interface{}{"name": ref.Name, "annotations": map[string]interface{}{kube.AnnotationCreated: kube.ControllerName}}}}
		_, err := ri.Create(ctx, ns, metav1.CreateOptions{FieldManager: owner.FieldManager()})
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
		return ref, err
	}
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[owner.LabelKey()] = "true"
	u.SetLabels(l)
	a := u.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[owner.LabelKey()] = owner.String()
	a[kube.AnnotationCreated] = kube.ControllerName // conflict() let only missing or created objects through
	u.SetAnnotations(a)
	body, err := json.Marshal(u.Object)
	if err != nil {
		return ref, err
	}
	// The node cache's objects are shared with other owners, whose applies the generation
	// does not show: always applied.
	intent := bodyHash(body)
	shared := ref.Namespace == kube.NodeCacheNamespace
	if !shared && c.unchanged(mem, owner, ref, intent) {
		return ref, nil
	}
	// Forced (a hand edit of a field the owner applies is taken back) only over an object
	// conflict() saw; one absent from the cache may have been made since by someone else: the
	// API server refuses the unforced apply if it holds any field, and it is checked then.
	// A node-cache object is shared by every owner whose render names it (one filter name,
	// one cache): each applies its own fields unforced, so owners that agree share them and an
	// owner whose render differs from another's (two tenants' filters named alike, other
	// images) is refused by the API server instead of taking the other's fields.
	m, covered := c.cachedMeta(ref)
	force := !shared && (!covered || m != nil)
	res, err := ri.Patch(ctx, ref.Name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: owner.FieldManager(), Force: &force})
	if !force && apierrors.IsConflict(err) {
		live, gerr := ri.Get(ctx, ref.Name, metav1.GetOptions{})
		if gerr != nil {
			return ref, gerr
		}
		if msg := adoptionConflict(owner, ref, live); msg != "" {
			return ref, &adoptionError{msg}
		}
		if others := kube.Holders(live.GetAnnotations(), owner); shared && len(others) > 0 && otherOwnerConflicts(err, owner) {
			return ref, &adoptionError{fmt.Sprintf("%s %s/%s is shared with %s, whose render of it differs (%v); "+
				"filters deployed through the node cache need distinct names unless they are the same module",
				ref.Kind, ref.Namespace, ref.Name, strings.Join(others, ", "), conflictFields(err))}
		}
		force = true // only hand edits of fields the owner applies conflict: taken back
		res, err = ri.Patch(ctx, ref.Name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: owner.FieldManager(), Force: &force})
	}
	if err == nil && !shared {
		c.remember(mem, ref, intent, res.GetGeneration())
	}
	return ref, err
}

// sharedFirst orders the node cache's objects (after any Namespace) before the rest, keeping
// the render's order otherwise: an owner refused a share of the cache applies nothing that uses it.
func sharedFirst(docs []wasmdeploy.Document) []wasmdeploy.Document {
	rank := func(d wasmdeploy.Document) int {
		ref, err := refOf(d)
		switch {
		case err == nil && ref.Kind == "Namespace":
			return 0
		case err == nil && ref.Namespace == kube.NodeCacheNamespace:
			return 1
		}
		return 2
	}
	out := append([]wasmdeploy.Document(nil), docs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// conflictCauses are the causes the API server gave for refusing an apply (nil when it gave none).
func conflictCauses(err error) []metav1.StatusCause {
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Details == nil {
		return nil
	}
	return st.Status().Details.Causes
}

// otherOwnerConflicts says whether a refused apply conflicts with another owner's field manager
// (not a user's hand edit, which is taken back). No causes: never overwrite another owner on a guess.
func otherOwnerConflicts(err error, owner kube.Owner) bool {
	var messages []string
	for _, cause := range conflictCauses(err) {
		messages = append(messages, cause.Message)
	}
	return kube.OtherOwnerConflict(messages, owner)
}

// conflictFields names the fields a refused server-side apply conflicts on.
func conflictFields(err error) string {
	var fields []string
	for _, cause := range conflictCauses(err) {
		if cause.Field != "" {
			fields = append(fields, cause.Field)
		}
	}
	if len(fields) == 0 {
		return "conflicting fields"
	}
	sort.Strings(fields)
	return strings.Join(fields, ", ")
}

// refOf names a rendered document's object (no namespace for cluster-scoped kinds).
func refOf(d wasmdeploy.Document) (kube.Ref, error) {
	u := &unstructured.Unstructured{Object: d.Object}
	group, _ := kube.SplitAPIVersion(u.GetAPIVersion())
	ref := kube.Ref{Group: group, Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	k, err := kube.KindOf(group, u.GetKind())
	if err != nil {
		return ref, err
	}
	if !k.Namespaced {
		ref.Namespace = ""
	}
	return ref, nil
}

// release gives up the owner's hold on one object. A workload gets back, by merge patch, the
// annotation values it had (absent ones removed) and loses the owner's label and record. An
// object wasmdeploy applied is deleted when no other owner holds it and nobody else ever wrote
// it; otherwise it loses only this owner's fields.
func (c *controller) release(ctx context.Context, owner kube.Owner, ref kube.Ref, composed map[string]interface{}) error {
	k, err := kube.KindOf(ref.Group, ref.Kind)
	if err != nil {
		return err
	}
	ri := c.dyn.Resource(gvrOf(k)).Namespace(ref.Namespace)
	// From the cache when it has the object (the delete and the restore patch carry its
	// resourceVersion as a precondition, so a stale copy only means a retry); asked when it
	// does not, so an object applied a moment ago is not missed.
	var live metav1.Object
	if m, covered := c.cachedMeta(ref); m != nil && covered {
		live = m
	} else {
		u, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		live = u
	}
	apiVersion := k.Version
	if k.Group != "" {
		apiVersion = k.Group + "/" + k.Version
	}
	recorded, isWorkload := live.GetAnnotations()[owner.RestoreKey()]
	if isWorkload {
		var orig kube.Originals
		if err := json.Unmarshal([]byte(recorded), &orig); err != nil {
			return fmt.Errorf("%s: unreadable %s: %w", ref, owner.RestoreKey(), err)
		}
		restore := map[string]interface{}{}
		for key, v := range orig {
			if v == nil {
				restore[key] = nil
			} else {
				restore[key] = *v
			}
		}
		if composed != nil {
			// The library's undo: this owner's filters off the workload, other owners' volumes
			// and the user's own values kept. The snapshot above is only for a workload the
			// owner no longer lists (or a spec that no longer reads).
			restore = composed
		}
		patch, _ := json.Marshal(map[string]interface{}{
			"metadata": map[string]interface{}{
				"labels":      map[string]interface{}{owner.LabelKey(): nil},
				"annotations": map[string]interface{}{owner.LabelKey(): nil, owner.RestoreKey(): nil},
				// Only if nobody changed the workload since it was read.
				"resourceVersion": live.GetResourceVersion(),
			},
			"spec": map[string]interface{}{"template": map[string]interface{}{"metadata": map[string]interface{}{"annotations": restore}}},
		})
		_, err := ri.Patch(ctx, ref.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: kube.RestoreManager})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	if _, mine := live.GetLabels()[owner.LabelKey()]; !mine {
		return nil // not ours (any more)
	}
	others := map[string]string{}
	for k, v := range live.GetLabels() {
		if k != owner.LabelKey() {
			others[k] = v
		}
	}
	var managers []kube.ManagedField
	for _, m := range live.GetManagedFields() {
		managers = append(managers, kube.ManagedField{Manager: m.Manager, Subresource: m.Subresource})
	}
	if kube.MayDelete(ref.Kind, others, live.GetAnnotations(), managers) {
		uid, rv := live.GetUID(), live.GetResourceVersion()
		err = ri.Delete(ctx, ref.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
		switch {
		case apierrors.IsNotFound(err):
			return nil
		case apierrors.IsConflict(err):
			return fmt.Errorf("%s changed while being released; retrying", ref)
		}
		return err
	}
	// Someone else holds it: give up only this owner's fields (server-side apply of an empty
	// object under its manager); what the others also apply stays.
	empty := map[string]interface{}{
		"apiVersion": apiVersion, "kind": ref.Kind,
		"metadata": map[string]interface{}{"name": ref.Name},
	}
	if k.Namespaced {
		empty["metadata"].(map[string]interface{})["namespace"] = ref.Namespace
	}
	body, _ := json.Marshal(empty)
	force := true
	_, err = ri.Patch(ctx, ref.Name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: owner.FieldManager(), Force: &force})
	if apierrors.IsInvalid(err) {
		// The fields it held are required and nobody else holds them (a user's object that
		// wasmdeploy adopted): leave them, drop only the owner's mark.
		patch, _ := json.Marshal(map[string]interface{}{"metadata": map[string]interface{}{
			"labels":      map[string]interface{}{owner.LabelKey(): nil},
			"annotations": map[string]interface{}{owner.LabelKey(): nil}}})
		_, err = ri.Patch(ctx, ref.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: kube.RestoreManager})
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// cleanup releases everything the owner holds: its inventory (status.resources, written
// before anything new is applied), and with sweep, whatever carries its label (an owner whose
// finalizer was removed by hand left no inventory to read).
// libraryRestores asks the library for the patches that take this owner's filters off its
// workloads (`undeploy --restore` with their live annotations), by workload ref. Several owners
// may patch one workload: a snapshot of the values before this owner would drop what owners
// that came later added, so the snapshot is used only where this answer has no patch.
func (c *controller) libraryRestores(ctx context.Context, kind ownerKind, owner kube.Owner, obj *unstructured.Unstructured) map[string]map[string]interface{} {
	o, err := c.specFor(ctx, kind, owner, obj)
	if err != nil || o.spec == nil {
		return nil
	}
	defer o.spec.Free()
	items, err := o.spec.UndeployRestore(o.istio)
	if err != nil {
		return nil
	}
	out := map[string]map[string]interface{}{}
	for _, item := range items {
		ref, err := refOf(wasmdeploy.Document{Role: wasmdeploy.Patch, Object: item})
		if err != nil {
			continue
		}
		ann, found, _ := unstructured.NestedMap(item, "spec", "template", "metadata", "annotations")
		if !found {
			continue
		}
		if ref.Namespace == "" {
			ref.Namespace = owner.Namespace
		}
		out[ref.String()] = ann
	}
	return out
}

func (c *controller) cleanup(ctx context.Context, owner kube.Owner, inv []string, sweep bool, restores map[string]map[string]interface{}) error {
	refs := map[string]bool{}
	for _, r := range union(inv, c.labelled(owner)) {
		refs[r] = true
	}
	for _, k := range kube.Kinds() {
		if !sweep {
			break
		}
		if k.Kind == "Namespace" {
			continue // never released (and not listable: the ClusterRole grants get and create only)
		}
		if inf := c.watched[gvrOf(k)]; inf != nil && inf.HasSynced() {
			continue // labelled() found them in the cache; one not there yet is requeued by live.go
		}
		list, err := c.dyn.Resource(gvrOf(k)).Namespace(kube.SweepNamespace(k)).List(ctx, metav1.ListOptions{LabelSelector: owner.LabelKey()})
		if apierrors.IsNotFound(err) {
			continue // CRD not installed
		}
		if err != nil {
			return err
		}
		for _, item := range list.Items {
			ns := item.GetNamespace()
			if !k.Namespaced {
				ns = ""
			}
			refs[kube.Ref{Group: k.Group, Kind: k.Kind, Namespace: ns, Name: item.GetName()}.String()] = true
		}
	}
	var errs []string
	for _, r := range kube.ReleaseOrder(kube.SortedKeys(refs)) {
		ref, err := kube.ParseRef(r)
		if err == nil {
			err = c.release(ctx, owner, ref, restores[r])
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", r, err))
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// recordInventory writes status.resources before objects not yet in it are applied, so a
// crash between apply and the final status write cannot leave objects no inventory names.
func (c *controller) recordInventory(ctx context.Context, kind ownerKind, obj *unstructured.Unstructured, refs []string, mem *ownerMemory) error {
	status, _, _ := unstructured.NestedMap(obj.Object, "status")
	if status == nil {
		status = map[string]interface{}{}
	}
	status["resources"] = refs
	return c.applyStatus(ctx, kind, obj, status, mem)
}

// applyStatus server-side applies `status` to obj's status subresource under the status field
// manager (the inventory and the conditions share it, so neither drops the other's fields).
func (c *controller) applyStatus(ctx context.Context, kind ownerKind, obj *unstructured.Unstructured, status map[string]interface{}, mem *ownerMemory) error {
	body, err := json.Marshal(map[string]interface{}{
		"apiVersion": obj.GetAPIVersion(), "kind": obj.GetKind(),
		"metadata": map[string]interface{}{"name": obj.GetName(), "namespace": obj.GetNamespace()},
		"status":   status,
	})
	if err != nil {
		return err
	}
	force := true
	res, err := c.dyn.Resource(kind.gvr).Namespace(obj.GetNamespace()).Patch(ctx, obj.GetName(), types.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: kube.StatusManager, Force: &force}, "status")
	if err == nil {
		mem.wrote(status, res)
	}
	return err
}

func inventory(obj *unstructured.Unstructured) []string {
	v, _, _ := unstructured.NestedStringSlice(obj.Object, "status", "resources")
	return v
}

func hasFinalizer(obj *unstructured.Unstructured) bool {
	for _, f := range obj.GetFinalizers() {
		if f == kube.Finalizer {
			return true
		}
	}
	return false
}

func generationChanged(obj *unstructured.Unstructured) bool {
	g, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	return g != obj.GetGeneration()
}

// needsFinalizer says whether the owner's deletion must wait for the controller: it patched a
// user's workload (the annotations it replaced are given back from the live object and the
// library's undo, which need the owner), holds a share of the node cache, or made an object of
// a kind no synced watch covers (found again only through status.resources). An owner whose
// objects are all watched and its own (EnvoyFilters, WasmPlugins) needs none: its owner label
// finds them in the caches after it is gone (reconcile of a missing owner, and live.go's
// requeue of a managed object whose owner no longer exists), so a new object costs two writes
// (apply, status) instead of three.
func (c *controller) needsFinalizer(docs []wasmdeploy.Document, previous []string) bool {
	for _, d := range docs {
		if d.Role == wasmdeploy.Patch {
			return true
		}
		ref, err := refOf(d)
		if err != nil {
			return true
		}
		if ref.Kind == "Namespace" {
			continue // used, never released
		}
		if ref.Namespace == kube.NodeCacheNamespace || !c.covered(ref) {
			return true
		}
	}
	for _, r := range previous {
		ref, err := kube.ParseRef(r)
		if err != nil || ref.Namespace == kube.NodeCacheNamespace || !c.covered(ref) {
			return true
		}
		if k, err := kube.KindOf(ref.Group, ref.Kind); err != nil || k.Group == "apps" {
			return true // a workload it patched before: restored on prune, which may still be pending
		}
	}
	return false
}

func (c *controller) setFinalizer(ctx context.Context, kind ownerKind, obj *unstructured.Unstructured, on bool) error {
	var fins []string
	for _, f := range obj.GetFinalizers() {
		if f != kube.Finalizer {
			fins = append(fins, f)
		}
	}
	if on {
		fins = append(fins, kube.Finalizer)
	}
	// A merge patch with the resourceVersion: refused if someone changed the list meanwhile.
	patch, _ := json.Marshal(map[string]interface{}{"metadata": map[string]interface{}{
		"finalizers": fins, "resourceVersion": obj.GetResourceVersion()}})
	_, err := c.dyn.Resource(kind.gvr).Namespace(obj.GetNamespace()).Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: kube.ControllerName})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// writeStatus applies the status subresource: observedGeneration, Ready and Refused
// conditions, the refusal's code, path and message, the inventory, and for a
// FilterDeployment wasme's per-workload states and reason.
func (c *controller) writeStatus(ctx context.Context, kind ownerKind, obj *unstructured.Unstructured, out outcome, mem *ownerMemory, cached map[string]interface{}) error {
	var conds []kube.Condition
	if raw, ok, _ := unstructured.NestedSlice(obj.Object, "status", "conditions"); ok {
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &conds)
	}
	now := time.Now()
	gen := obj.GetGeneration()
	resources := out.applied
	if resources == nil {
		resources = []string{}
	}
	status := map[string]interface{}{"observedGeneration": gen, "resources": resources}
	if out.istio != "" {
		status["istio"] = out.istio
	}
	reason := ""
	switch {
	case out.refusal != nil:
		conds = kube.SetCondition(conds, kube.Condition{Type: "Refused", Status: "True", Reason: "InvalidInput", Message: out.refusal.Message, ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Ready", Status: "False", Reason: "Refused", Message: out.refusal.Message, ObservedGeneration: gen}, now)
		status["refusal"] = map[string]interface{}{"code": out.refusal.ID, "status": out.refusal.Code, "path": out.refusal.Path, "message": out.refusal.Message}
		reason = out.refusal.Message
	case out.conflict != "":
		conds = kube.SetCondition(conds, kube.Condition{Type: "Refused", Status: "False", Reason: "Accepted", ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Conflict", Status: "True", Reason: "HeldByOther", Message: out.conflict, ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Ready", Status: "False", Reason: "Conflict", Message: out.conflict, ObservedGeneration: gen}, now)
		reason = out.conflict
	case out.err != nil:
		failed := "ApplyFailed"
		if isResolveFailure(out.err) {
			failed = "ResolveFailed"
		}
		conds = kube.SetCondition(conds, kube.Condition{Type: "Refused", Status: "False", Reason: "Accepted", ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Ready", Status: "False", Reason: failed, Message: out.err.Error(), ObservedGeneration: gen}, now)
		reason = out.err.Error()
	case out.noWorkloads:
		msg := "no workload matches spec.deployment.istio (kind and labels) in this namespace yet"
		conds = kube.SetCondition(conds, kube.Condition{Type: "Refused", Status: "False", Reason: "Accepted", ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Ready", Status: "False", Reason: "NoWorkloads", Message: msg, ObservedGeneration: gen}, now)
		reason = msg
	default:
		msg := fmt.Sprintf("%d objects applied for Istio %s", len(out.applied), out.istio)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Refused", Status: "False", Reason: "Accepted", ObservedGeneration: gen}, now)
		conds = kube.SetCondition(conds, kube.Condition{Type: "Ready", Status: "True", Reason: "Applied", Message: msg, ObservedGeneration: gen}, now)
	}
	if len(out.warnings) > 0 {
		conds = kube.SetCondition(conds, kube.Condition{Type: "Warnings", Status: "True", Reason: "LibraryWarnings",
			Message: strings.Join(out.warnings, "; "), ObservedGeneration: gen}, now)
	} else if out.refusal == nil {
		conds = kube.SetCondition(conds, kube.Condition{Type: "Warnings", Status: "False", Reason: "None", ObservedGeneration: gen}, now)
	}
	if out.conflict == "" {
		conds = kube.SetCondition(conds, kube.Condition{Type: "Conflict", Status: "False", Reason: "NoConflict", ObservedGeneration: gen}, now)
	}
	if rep, ok := c.takeResolution(kind, obj.GetNamespace(), obj.GetName()); ok {
		conds = kube.SetCondition(conds, resolvedCondition(rep, gen), now)
	}
	status["conditions"] = conds
	if kind.kind == "FilterDeployment" {
		w := map[string]interface{}{}
		for name, s := range out.workloads {
			w[name] = s
		}
		status["workloads"] = w
		if reason != "" {
			status["reason"] = reason
		}
	}
	if mem.unchanged(status, cached) {
		return nil // the same status again: no write
	}
	err := c.applyStatus(ctx, kind, obj, status, mem)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
