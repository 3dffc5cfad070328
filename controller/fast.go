package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"sync"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/wasmdeploy/wasmdeploy/controller/internal/kube"
)

// Fast: a reconcile reads from the informer caches, not the API server, and writes only what
// changed. What it wrote last is remembered per owner (by UID, for this process only: a new
// leader starts empty and re-applies once, which the API server answers without a write):
//
//   - the status: rewritten only when it differs from the cached one, and the cached one is
//     the status this process last wrote (else the cache is behind, or someone else wrote it);
//   - the inventory: merged into the cached one, so a reconcile that runs before the cache
//     shows the previous status still prunes what that reconcile applied;
//   - per applied object, the hash of the body sent and the generation the API server answered:
//     the next apply of the same body is skipped while the cached object still has that
//     generation and the owner's label (a hand edit moves the generation; the watch in live.go
//     requeues the owner and it is applied again).

// ownerIndex indexes the watched objects by the owner labels they carry.
const ownerIndex = "wasmdeploy-owner"

func ownerLabels(obj interface{}) ([]string, error) {
	m, err := apimeta.Accessor(obj)
	if err != nil {
		return nil, nil
	}
	var out []string
	for k := range m.GetLabels() {
		if len(k) > len(kube.OwnerPrefix) && k[:len(kube.OwnerPrefix)] == kube.OwnerPrefix {
			out = append(out, k)
		}
	}
	return out, nil
}

// applied is what one apply sent and what the API server answered.
type applied struct {
	hash       [32]byte
	generation int64
}

// ownerMemory is what this process last wrote for one owner.
type ownerMemory struct {
	sent, stored []byte // the status last written and the API server's answer (canonical JSON)
	finalizer    bool   // added by this process
	applied      map[string]applied
}

type memories struct {
	mu     sync.Mutex
	owners map[types.UID]*ownerMemory
}

func (m *memories) get(uid types.UID) *ownerMemory {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owners == nil {
		m.owners = map[types.UID]*ownerMemory{}
	}
	o := m.owners[uid]
	if o == nil {
		o = &ownerMemory{applied: map[string]applied{}}
		m.owners[uid] = o
	}
	return o
}

func (m *memories) forget(uid types.UID) {
	m.mu.Lock()
	delete(m.owners, uid)
	m.mu.Unlock()
}

// A reconcile holds its owner's key (the work queue never hands one key to two workers), so
// one ownerMemory is only used by one goroutine at a time; memories.mu guards the map.

// canonicalJSON encodes v with sorted keys whatever its Go types (structs and maps alike).
func canonicalJSON(v interface{}) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var generic interface{}
	if json.Unmarshal(b, &generic) != nil {
		return nil
	}
	b, _ = json.Marshal(generic)
	return b
}

// recall puts the status this process last wrote into obj (a cached copy, which may not show
// it yet; its inventory is merged in) and returns the cached status.
func (m *ownerMemory) recall(obj *unstructured.Unstructured) map[string]interface{} {
	cached, _ := obj.Object["status"].(map[string]interface{})
	if m.stored == nil {
		return cached
	}
	var status map[string]interface{}
	if utiljson.Unmarshal(m.stored, &status) != nil { // integers as int64, as the cache has them
		return cached
	}
	inv, _, _ := unstructured.NestedStringSlice(obj.Object, "status", "resources")
	mine, _, _ := unstructured.NestedStringSlice(status, "resources")
	merged := []interface{}{} // JSON types: the object is deep-copied later
	for _, r := range union(inv, mine) {
		merged = append(merged, r)
	}
	status["resources"] = merged
	obj.Object["status"] = status
	return cached
}

// wrote remembers a status written and the API server's answer.
func (m *ownerMemory) wrote(sent map[string]interface{}, answer *unstructured.Unstructured) {
	m.sent = canonicalJSON(sent)
	m.stored = nil
	if answer != nil {
		m.stored = canonicalJSON(answer.Object["status"])
	}
}

// unchanged says whether writing status would change nothing: this process wrote the same
// before and the cache shows what the API server answered then (not someone else's write);
// or, with nothing remembered (a new leader), the cache already shows it.
func (m *ownerMemory) unchanged(status, cached map[string]interface{}) bool {
	want, have := canonicalJSON(status), canonicalJSON(cached)
	if want == nil || have == nil || cached == nil {
		return false
	}
	if m.sent == nil {
		return bytes.Equal(want, have)
	}
	return bytes.Equal(want, m.sent) && bytes.Equal(have, m.stored)
}

// cachedOwner is the owner object from the informer cache (a copy), or nil when it is gone.
func (c *controller) cachedOwner(kind ownerKind, ns, name string) (*unstructured.Unstructured, error) {
	inf := c.owners[kind.kind]
	k := name
	if ns != "" {
		k = ns + "/" + name
	}
	obj, exists, err := inf.GetIndexer().GetByKey(k)
	if err != nil || !exists {
		return nil, err
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil
	}
	return u.DeepCopy(), nil
}

// cachedMeta is a watched object's metadata from the caches of live.go. covered is false when
// the kind is not watched or its cache has not synced: the caller asks the API server.
func (c *controller) cachedMeta(ref kube.Ref) (m *metav1.PartialObjectMetadata, covered bool) {
	k, err := kube.KindOf(ref.Group, ref.Kind)
	if err != nil {
		return nil, false
	}
	inf := c.watched[gvrOf(k)]
	if inf == nil || !inf.HasSynced() {
		return nil, false
	}
	key := ref.Name
	if ref.Namespace != "" {
		key = ref.Namespace + "/" + ref.Name
	}
	obj, exists, err := inf.GetIndexer().GetByKey(key)
	if err != nil || !exists {
		return nil, true
	}
	m, _ = obj.(*metav1.PartialObjectMetadata)
	return m, true
}

// covered says whether objects of ref's kind are watched by a synced cache, so the objects
// carrying an owner's label can be found without its inventory.
func (c *controller) covered(ref kube.Ref) bool {
	k, err := kube.KindOf(ref.Group, ref.Kind)
	if err != nil {
		return false
	}
	inf := c.watched[gvrOf(k)]
	return inf != nil && inf.HasSynced()
}

// labelled lists the watched objects carrying the owner's label (from the caches).
func (c *controller) labelled(owner kube.Owner) []string {
	var out []string
	for gvr, inf := range c.watched {
		if !inf.HasSynced() {
			continue
		}
		k := kindOfGVR(gvr)
		items, _ := inf.GetIndexer().ByIndex(ownerIndex, owner.LabelKey())
		for _, it := range items {
			if m, err := apimeta.Accessor(it); err == nil {
				out = append(out, kube.Ref{Group: k.Group, Kind: k.Kind, Namespace: m.GetNamespace(), Name: m.GetName()}.String())
			}
		}
	}
	return out
}

func kindOfGVR(gvr schema.GroupVersionResource) kube.Kind {
	for _, k := range kube.Kinds() {
		if k.Group == gvr.Group && k.Resource == gvr.Resource {
			return k
		}
	}
	return kube.Kind{}
}

// unchanged says whether applying body to ref again can be skipped (see the top of the file).
func (c *controller) unchanged(mem *ownerMemory, owner kube.Owner, ref kube.Ref, hash [32]byte) bool {
	if mem == nil {
		return false
	}
	prev, ok := mem.applied[ref.String()]
	if !ok || prev.hash != hash {
		return false
	}
	m, covered := c.cachedMeta(ref)
	if !covered || m == nil {
		return false
	}
	_, labelled := m.GetLabels()[owner.LabelKey()]
	return labelled && m.GetGeneration() == prev.generation
}

func (c *controller) remember(mem *ownerMemory, ref kube.Ref, hash [32]byte, generation int64) {
	if mem != nil {
		mem.applied[ref.String()] = applied{hash: hash, generation: generation}
	}
}

func bodyHash(b []byte) [32]byte { return sha256.Sum256(b) }

// union merges string lists, sorted, without repeats.
func union(lists ...[]string) []string {
	set := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			set[s] = true
		}
	}
	return kube.SortedKeys(set)
}
