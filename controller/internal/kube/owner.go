// Package kube holds the controller's pure logic: who owns what, how the mesh version is read,
// which objects may be deleted, and how conditions change. No API calls and no cgo here, so it
// is unit-tested on its own.
package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

const (
	// ControllerName is the prefix of every field manager the controller uses.
	ControllerName = "wasmdeploy-controller"
	// StatusManager writes status subresources.
	StatusManager = ControllerName
	// RestoreManager writes the annotations a workload had before (merge patch on delete).
	RestoreManager = ControllerName + "-restore"
	// Finalizer keeps a deleted owner until what it made is gone and its workloads restored.
	Finalizer = "wasmdeploy.io/cleanup"
	// OwnerPrefix starts the per-owner label and annotation keys.
	OwnerPrefix = "wasmdeploy.io/owner-"
	// RestorePrefix starts the per-owner annotation holding a workload's original values.
	RestorePrefix = "wasmdeploy.io/restore-"
	// Digest annotations on a FilterDeployment: what the wasme operator learnt by pulling the
	// image, which this controller does not do.
	AnnotationSha256 = "wasmdeploy.io/sha256"
	// AnnotationCreated marks an object this controller created (it did not exist when first
	// applied). Only such an object is ever deleted, and only such an object is shared with
	// another owner: the controller never adopts what someone else made.
	AnnotationCreated      = "wasmdeploy.io/created-by"
	AnnotationModuleSha256 = "wasmdeploy.io/module-sha256"
)

// Owner is a FilterDeployment or WasmDeployment.
type Owner struct {
	Kind, Namespace, Name string
}

func (o Owner) String() string { return fmt.Sprintf("%s/%s/%s", o.Kind, o.Namespace, o.Name) }

// Hash names the owner in label keys and field managers (label names allow 63 characters, so
// the full key would not fit).
func (o Owner) Hash() string {
	sum := sha256.Sum256([]byte(o.String()))
	return hex.EncodeToString(sum[:8])
}

// LabelKey marks every object this owner applied; also an annotation with String().
func (o Owner) LabelKey() string { return OwnerPrefix + o.Hash() }

// RestoreKey is the workload annotation holding the values this owner overwrote.
func (o Owner) RestoreKey() string { return RestorePrefix + o.Hash() }

// FieldManager is this owner's server-side apply manager: owners that write the same object
// (the wasme node cache, one workload selected twice) each hold only their own fields.
func (o Owner) FieldManager() string { return ControllerName + "/" + o.Hash() }

// Ref names one object: "group/Kind/namespace/name" ("" group for core, "" namespace for
// cluster-scoped objects).
type Ref struct {
	Group, Kind, Namespace, Name string
}

func (r Ref) String() string {
	return strings.Join([]string{r.Group, r.Kind, r.Namespace, r.Name}, "/")
}

// ParseRef reads String()'s form back.
func ParseRef(s string) (Ref, error) {
	p := strings.Split(s, "/")
	if len(p) != 4 || p[1] == "" || p[3] == "" {
		return Ref{}, fmt.Errorf("bad object reference %q", s)
	}
	return Ref{p[0], p[1], p[2], p[3]}, nil
}

// Stale lists what was applied before and is not wanted now, sorted.
func Stale(previous []string, wanted map[string]bool) []string {
	var out []string
	for _, r := range previous {
		if !wanted[r] {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// ReleaseOrder puts Namespaces last, so the objects inside one are released (and deleted)
// before it is.
func ReleaseOrder(refs []string) []string {
	out := append([]string(nil), refs...)
	sort.SliceStable(out, func(a, b int) bool {
		return !strings.HasPrefix(out[a], "/Namespace/") && strings.HasPrefix(out[b], "/Namespace/")
	})
	return out
}

// ManagedField is the part of metadata.managedFields the delete decision reads.
type ManagedField struct {
	Manager, Subresource string
}

// Holders lists the owners recorded on an object (the values of its owner annotations),
// sorted, leaving out `except`.
func Holders(annotations map[string]string, except Owner) []string {
	var out []string
	for k, v := range annotations {
		if strings.HasPrefix(k, OwnerPrefix) && k != except.LabelKey() {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// AdoptionConflict says why owner may not apply to an existing object, or "" when it may: the
// object must carry the controller's creation mark, and an object not shared by design (shared
// is false: everything but the node cache) must not be held by another owner. The message names
// the holder: the other owners, or the field managers of an object someone else made.
func AdoptionConflict(owner Owner, annotations map[string]string, managers []ManagedField, shared bool) string {
	if annotations[AnnotationCreated] != ControllerName {
		var who []string
		seen := map[string]bool{}
		for _, m := range managers {
			if !seen[m.Manager] && !strings.HasPrefix(m.Manager, ControllerName) {
				seen[m.Manager] = true
				who = append(who, m.Manager)
			}
		}
		sort.Strings(who)
		if len(who) == 0 {
			who = []string{"an unknown writer"}
		}
		return fmt.Sprintf("exists and was not created by %s (written by %s); it is not adopted", ControllerName, strings.Join(who, ", "))
	}
	if others := Holders(annotations, owner); len(others) > 0 && !shared {
		return fmt.Sprintf("is held by %s", strings.Join(others, ", "))
	}
	return ""
}

// MayDelete says whether an object an owner lets go of can be deleted: no other owner
// label, no restore record (it is a user's workload), and nobody but this controller ever
// wrote it (status writers aside). A user's object that wasmdeploy merely adopted keeps a
// kubectl or other manager entry and is never deleted; nor is an object without the creation
// mark, nor a Namespace.
func MayDelete(kind string, labels, annotations map[string]string, managers []ManagedField) bool {
	// A Namespace may hold what others put there (a user's Secret in wasme): never deleted.
	if kind == "Namespace" || annotations[AnnotationCreated] != ControllerName {
		return false
	}
	for k := range labels {
		if strings.HasPrefix(k, OwnerPrefix) {
			return false
		}
	}
	for k := range annotations {
		if strings.HasPrefix(k, RestorePrefix) {
			return false
		}
	}
	for _, m := range managers {
		if m.Subresource == "status" {
			continue
		}
		if !strings.HasPrefix(m.Manager, ControllerName) {
			return false
		}
	}
	return true
}

// conflictManager is the manager a server-side apply conflict cause names (apimachinery's
// managedfields NewConflictError: `conflict with "<manager>"`, then optional details).
var conflictManager = regexp.MustCompile(`^conflict with "([^"]+)"`)

// OtherOwnerConflict says whether the causes of a refused server-side apply name another
// owner's field manager: that owner's render differs and must not be overwritten. Causes that
// name only other managers (a user's hand edit) are not: the owner takes its fields back. A cause
// it cannot read counts as another owner's.
func OtherOwnerConflict(causes []string, owner Owner) bool {
	if len(causes) == 0 {
		return true
	}
	for _, c := range causes {
		m := conflictManager.FindStringSubmatch(c)
		if m == nil {
			return true
		}
		if strings.HasPrefix(m[1], ControllerName+"/") && m[1] != owner.FieldManager() {
			return true
		}
	}
	return false
}
